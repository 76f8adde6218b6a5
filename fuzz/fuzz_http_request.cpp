// One connection's bytes, from the socket to the answer: Beast's request parser with the
// server's limits, then what HttpSession::route does with each request (path, WebSocket
// upgrades, /metrics, the client address behind trusted proxies, the cross-site guard, the
// cookie) and the JSON API itself over a real SQLite store, or the static file lookup.
// Requests may be pipelined: up to four per input, as one keep-alive connection reads them.
//
// The first byte sets the connection: which peer address (a trusted proxy or not, v4 or
// v6), TLS, and which public-url the server has. The store holds one account (alice, with
// the session token in fuzz/dictionaries/http_request.dict) owning camera sc-fuzzcam1, and
// an unclaimed sc-fuzzcam2; both claim codes are printed at start. After each input the
// store is put back as it was (ownership, names, alice's session) so that inputs replay.
//
// Properties: no request makes the API answer 500 (an exception in a handler), every answer
// body is JSON of PROTOCOL.md's shape, a resolved static file is inside the web root, and
// the client address is the peer's or a canonical address from X-Forwarded-For.
#include <sodium.h>
#include <unistd.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "fuzz_check.hpp"
#include "fuzz_log.hpp"
#include "server/api/api.hpp"
#include "server/auth/password_hash.hpp"
#include "server/auth/session_token.hpp"
#include "server/http/client_address.hpp"
#include "server/http/origin_policy.hpp"
#include "server/http/request_fields.hpp"
#include "server/http/static_files.hpp"
#include "server/net/ip_address.hpp"

namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using namespace seccam;
using namespace seccam::server;

namespace {

// The server's limits (http/http_context.hpp).
constexpr std::size_t kMaxBodyBytes = 16 * 1024;
constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;
constexpr int kMaxRequestsPerInput = 4;

// The fixed session token of alice's session (64 hex digits).
constexpr const char* kAliceToken =
    "a11ce0000000000000000000000000000000000000000000000000000000f022";
constexpr const char* kOwnedCamera = "sc-fuzzcam1";
constexpr const char* kFreeCamera = "sc-fuzzcam2";

const std::vector<std::string> kPeers = {"127.0.0.1", "10.1.2.3", "::1", "2001:db8::7"};
const std::vector<std::string> kTrustedProxies = {"127.0.0.1", "::1"};
const std::vector<std::string> kPublicUrls = {"", "https://cams.example.org",
                                              "http://127.0.0.1:8080", ""};

struct World {
  fs::path dir;
  fs::path webRoot;
  std::unique_ptr<store::Store> store;
  Metrics metrics;
  std::vector<std::uint8_t> masterKey = std::vector<std::uint8_t>(32, 0x11);
  store::UserId alice = 0;
  std::string aliceTokenHash = auth::hashSessionToken(kAliceToken);
};

World* world = nullptr;

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void setUp() {
  world = new World;
  char pattern[] = "/tmp/seccam-fuzz-http-XXXXXX";
  FUZZ_CHECK(::mkdtemp(pattern) != nullptr);
  world->dir = pattern;
  // The store and web root go with the process (CI runs leave nothing in /tmp).
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(world->dir, ignored);
  });
  world->webRoot = world->dir / "web";
  fs::create_directories(world->webRoot / "js");
  writeFile(world->webRoot / "index.html", "<!doctype html>");
  writeFile(world->webRoot / "js" / "app.js", "export {};");
  writeFile(world->dir / "secret.txt", "outside the web root");
  fs::create_symlink(world->dir / "secret.txt", world->webRoot / "link.txt");

  world->store = store::openSqliteStore((world->dir / "seccam.db").string());
  auto& s = *world->store;
  s.addCamera(kOwnedCamera, 1'700'000'000);
  s.addCamera(kFreeCamera, 1'700'000'000);
  auto now = api::unixNow();
  auto result = s.registerUser("alice", auth::hashPassword("Correct-Horse-9"), kOwnedCamera,
                               "Front door", {world->aliceTokenHash, now, now + 86400 * 365});
  FUZZ_CHECK(result.user);
  world->alice = result.user->id;
  for (const char* id : {kOwnedCamera, kFreeCamera}) {
    auto code = identity::deriveClaimCode(identity::deriveDeviceKey(world->masterKey, id));
    std::fprintf(stderr, "fuzz_http_request: camera %s, claim code %s\n", id, code.c_str());
  }
}

// Back to the state setUp made: inputs must not depend on the ones before them.
void restoreStore() {
  auto& s = *world->store;
  for (const char* id : {kOwnedCamera, kFreeCamera}) {
    auto camera = s.findCamera(id);
    FUZZ_CHECK(camera && !camera->revoked);
    std::optional<store::UserId> wanted;
    if (std::string(id) == kOwnedCamera) wanted = world->alice;
    if (camera->ownerId != wanted) {
      if (camera->ownerId) s.unclaimCamera(id, *camera->ownerId);
      if (wanted) FUZZ_CHECK(s.claimCamera(id, *wanted, "Front door") == store::ClaimOutcome::claimed);
    } else if (wanted && camera->name != "Front door") {
      s.renameCamera(id, *wanted, "Front door");
    }
  }
  auto now = api::unixNow();
  if (!s.userForSession(world->aliceTokenHash, now)) {
    s.createSession(world->alice, {world->aliceTokenHash, now, now + 86400 * 365});
  }
}

// PROTOCOL.md: an API answer is JSON, and an error has {"error": {"code", "message"}} with a
// code from the list.
void checkApiResponse(const api::ApiResponse& response) {
  FUZZ_CHECK(response.status != 500);
  static const std::vector<int> statuses = {200, 201, 204, 400, 401, 403, 404, 409, 413, 429};
  FUZZ_CHECK(std::find(statuses.begin(), statuses.end(), response.status) != statuses.end());
  if (response.status == 204) return;
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  FUZZ_CHECK(body.is_object());
  if (response.status >= 400) {
    FUZZ_CHECK(body.contains("error") && body["error"].is_object());
    auto& code = body["error"]["code"];
    FUZZ_CHECK(code.is_string() && protocol::errorCodeFromWire(code.get<std::string>()));
    FUZZ_CHECK(body["error"]["message"].is_string());
  }
}

struct Connection {
  std::string peer;
  bool tls = false;
  std::string publicUrl;
};

// HttpSession::route and callApi, for one parsed request.
void route(api::Api& api, const Connection& connection, HttpRequest& request) {
  auto path = http::pathOf(request.target());
  auto clientAddress = http::clientAddressFor(connection.peer, http::forwardedFor(request),
                                              kTrustedProxies);
  FUZZ_CHECK(clientAddress == connection.peer || canonicalAddress(clientAddress) == clientAddress);
  auto host = http::headerText(request, bhttp::field::host);

  if (boost::beast::websocket::is_upgrade(request)) {
    if (path == "/ws") {
      auto cookie = http::headerText(request, bhttp::field::cookie);
      auto user = api.authenticate(cookie);
      if (user) FUZZ_CHECK(!api::Api::sessionHashOf(cookie).empty());
      http::isOwnOrigin(http::headerText(request, bhttp::field::origin), connection.publicUrl,
                        connection.tls, host);
    }
    return;
  }
  if (path == "/healthz") return;
  if (path == "/metrics") {
    isLoopbackAddress(clientAddress);
    if (auto authorization = http::optionalHeader(request, bhttp::field::authorization))
      crypto::constantTimeEqual(*authorization, "Bearer fuzz-metrics-token");
    return;
  }
  if (api::Api::handles(path) || path == "/api") {
    auto method = std::string(request.method_string());
    auto origin = http::optionalHeader(request, bhttp::field::origin);
    auto contentType = http::optionalHeader(request, bhttp::field::content_type);
    auto check = http::checkCrossSite({method, origin, contentType, !request.body().empty(), host},
                                      connection.publicUrl, connection.tls);
    if (check != http::CrossSiteCheck::allowed) return;
    api::ApiRequest apiRequest;
    apiRequest.method = std::move(method);
    apiRequest.path = std::move(path);
    apiRequest.body = std::move(request.body());
    apiRequest.cookieHeader = http::headerText(request, bhttp::field::cookie);
    apiRequest.clientAddress = std::move(clientAddress);
    apiRequest.tls = connection.tls;
    checkApiResponse(api.handle(apiRequest));
    return;
  }
  if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) return;
  if (auto file = http::resolveStaticFile(world->webRoot, path)) {
    auto resolved = fs::weakly_canonical(*file);
    auto root = fs::weakly_canonical(world->webRoot);
    auto [rootEnd, fileIt] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
    FUZZ_CHECK(rootEnd == root.end());
    http::mimeTypeFor(*file);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  FUZZ_CHECK(sodium_init() >= 0);
  fuzz::discardLogs();
  setUp();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  Connection connection{kPeers[data[0] & 3], (data[0] & 4) != 0, kPublicUrls[(data[0] >> 3) & 3]};

  api::ApiDependencies deps;
  deps.store = world->store.get();
  deps.masterKey = world->masterKey;
  deps.turn.secret = "fuzz-turn-secret";
  deps.turn.urls = {"turn:turn.example.org:3478?transport=udp", "stun:stun.example.org"};
  deps.publicUrl = connection.publicUrl;
  deps.metrics = &world->metrics;
  deps.live.isOnline = [](const std::string& id) { return id == kOwnedCamera; };
  api::Api api(std::move(deps));  // fresh rate limiters for every input

  // As the socket delivers them: the rest of the input, read request after request.
  boost::asio::const_buffer rest(data + 1, size - 1);
  for (int n = 0; n < kMaxRequestsPerInput && rest.size() > 0; ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    parser.header_limit(kMaxHeaderBytes);
    parser.eager(true);
    boost::beast::error_code ec;
    while (rest.size() > 0 && !parser.is_done()) {
      auto used = parser.put(rest, ec);
      rest += used;
      if (ec == bhttp::error::need_more) {
        if (used == 0) break;  // waits for bytes that never come: the read timeout's case
        ec = {};
        continue;
      }
      if (ec) break;
    }
    if (ec || !parser.is_done()) break;  // 400/413 or a closed connection: nothing routed
    auto request = parser.release();
    route(api, connection, request);
    if (!request.keep_alive()) break;
  }
  restoreStore();
  return 0;
}
