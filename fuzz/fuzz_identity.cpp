// The small validators every request and message goes through, each checked against an
// independent statement of its rule (PROTOCOL.md): camera and session IDs, claim codes,
// the API's field rules, the session cookie, IP addresses, X-Forwarded-For, hex, static
// file paths, and the cross-site guard. The input is split at its first newline into two
// texts for the functions that take two.
#include <algorithm>
#include <map>
#include <regex>
#include <string>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/text.hpp"
#include "fuzz_check.hpp"
#include "server/api/validation.hpp"
#include "server/auth/session_cookie.hpp"
#include "server/auth/session_token.hpp"
#include "server/http/client_address.hpp"
#include "server/http/origin_policy.hpp"
#include "server/http/static_files.hpp"
#include "server/net/ip_address.hpp"

using namespace seccam;
using namespace seccam::server;

namespace {

// Each rule's regular expression, compiled once.
bool matches(const std::string& text, const char* pattern) {
  static std::map<std::string, std::regex> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) it = compiled.emplace(pattern, std::regex(pattern)).first;
  return std::regex_match(text, it->second);
}

void checkIds(const std::string& text) {
  bool cameraId = matches(text, "^[A-Za-z0-9._-]{1,64}$");
  FUZZ_CHECK(identity::isValidCameraId(text) == cameraId);
  FUZZ_CHECK(!api::cameraIdProblem(text) == cameraId);
  FUZZ_CHECK(identity::isValidSessionId(text) == matches(text, "^[A-Za-z0-9_-]{8,64}$"));
}

void checkClaimCode(const std::string& text) {
  auto normalized = identity::normalizeClaimCode(text);
  FUZZ_CHECK(normalized.find_first_of(" -") == std::string::npos);
  FUZZ_CHECK(identity::normalizeClaimCode(normalized) == normalized);
  bool ok = !api::claimCodeProblem(text);
  FUZZ_CHECK(ok == matches(normalized, "^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$"));
  // Any device key's claim code is one a person can type in.
  auto code = identity::deriveClaimCode(identity::deriveDeviceKey(
      std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), "sc-x"));
  FUZZ_CHECK(!api::claimCodeProblem(code));
}

void checkAccountFields(const std::string& text) {
  if (!api::usernameProblem(text)) FUZZ_CHECK(matches(text, "^[A-Za-z0-9._-]{3,32}$"));
  auto points = api::codePointCount(text);
  FUZZ_CHECK(points <= text.size());
  if (!api::passwordProblem(text)) FUZZ_CHECK(points >= 10 && points <= 128);
  if (!api::cameraNameProblem(text)) {
    FUZZ_CHECK(points >= 1 && points <= 64);
    FUZZ_CHECK(std::none_of(text.begin(), text.end(),
                            [](unsigned char c) { return c < 0x20 || c == 0x7f; }));
  }
}

void checkCookie(const std::string& header) {
  auto token = auth::findSessionToken(header);
  if (token) {
    FUZZ_CHECK(header.find("seccam_session") != std::string::npos);
    FUZZ_CHECK(header.find(*token) != std::string::npos);
  }
  if (token && auth::isWellFormedSessionToken(*token)) {
    FUZZ_CHECK(matches(*token, "^[0-9A-Fa-f]{64}$"));
    FUZZ_CHECK(auth::hashSessionToken(*token).size() == 64);
  }
}

void checkAddresses(const std::string& first, const std::string& second) {
  if (auto address = canonicalAddress(first)) {
    FUZZ_CHECK(canonicalAddress(*address) == address);
    isLoopbackAddress(*address);
  }
  static const std::vector<std::string> trusted = {"127.0.0.1", "::1", "10.0.0.1"};
  for (const char* peer : {"127.0.0.1", "10.0.0.1", "192.0.2.1"}) {
    auto client = http::clientAddressFor(peer, second, trusted);
    FUZZ_CHECK(client == peer || canonicalAddress(client) == client);
    if (std::string(peer) == "192.0.2.1") FUZZ_CHECK(client == peer);  // not a proxy
  }
}

void checkHex(const std::string& text) {
  if (auto bytes = crypto::fromHex(text)) {
    FUZZ_CHECK(text.size() == bytes->size() * 2);
    FUZZ_CHECK(crypto::toHex(*bytes) == text::lowerCase(text));
  }
}

void checkStaticPath(const std::string& path) {
  auto relative = http::sanitizeUrlPath(path);
  if (!relative) return;
  FUZZ_CHECK(!relative->empty() && relative->front() != '/');
  std::string_view rest(*relative);
  while (true) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    FUZZ_CHECK(segment != ".." && !segment.empty());
    FUZZ_CHECK(segment.find('\\') == std::string_view::npos);
    FUZZ_CHECK(segment.find('\0') == std::string_view::npos);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  http::mimeTypeFor(*relative);
}

void checkOrigins(const std::string& origin, const std::string& host) {
  for (const char* publicUrl : {"", "https://cams.example.org", "http://127.0.0.1:8080/x"}) {
    for (bool tls : {false, true}) {
      bool own = http::isOwnOrigin(origin, publicUrl, tls, host);
      if (own) FUZZ_CHECK(!origin.empty());
      std::optional<std::string> originHeader = origin;
      std::optional<std::string> json = std::string("application/json");
      auto check = http::checkCrossSite({"POST", originHeader, json, true, host}, publicUrl, tls);
      FUZZ_CHECK((check == http::CrossSiteCheck::allowed) == own);
      auto get = http::checkCrossSite({"GET", originHeader, std::nullopt, true, host}, publicUrl, tls);
      FUZZ_CHECK(get == http::CrossSiteCheck::allowed);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size > 512) return 0;  // the rules are about short texts; keep regexes cheap
  std::string text(fuzz::textOf(data, size));
  auto newline = text.find('\n');
  std::string first = text.substr(0, newline);
  std::string second = newline == std::string::npos ? "" : text.substr(newline + 1);

  checkIds(text);
  checkClaimCode(text);
  checkAccountFields(text);
  checkCookie(text);
  checkAddresses(first, second);
  checkHex(text);
  checkStaticPath(text);
  checkOrigins(first, second);
  return 0;
}
