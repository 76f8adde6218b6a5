// The API's router and what its handlers share: authentication, the cross-site guard,
// sessions, claim checks and the camera JSON.
#include "server/api/api.hpp"

#include <spdlog/spdlog.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/identity.hpp"
#include "common/protocol_json.hpp"
#include "server/auth/session_cookie.hpp"
#include "server/auth/session_token.hpp"
#include "server/http/origin_policy.hpp"

namespace seccam::server::api {

std::string isoTime(store::UnixTime t) {
  std::time_t time = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&time, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

store::UnixTime unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Api::Api(ApiDependencies deps) : deps_(std::move(deps)) {}

namespace {
constexpr std::string_view kCamerasPath = "/api/cameras";

bool isStateChanging(const std::string& method) {
  return method == "POST" || method == "PATCH" || method == "DELETE" || method == "PUT";
}

bool isJsonContentType(std::string_view contentType) {
  auto semicolon = contentType.find(';');
  auto mediaType = contentType.substr(0, semicolon);
  while (!mediaType.empty() && mediaType.back() == ' ') mediaType.remove_suffix(1);
  std::string lowerType(mediaType);
  for (auto& c : lowerType) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowerType == "application/json";
}

ApiResponse notFound() { return errorResponse(404, "not_found", "Not found."); }
ApiResponse unauthorized() {
  return errorResponse(401, "unauthorized", "Sign in first.");
}
}  // namespace

ApiResponse Api::handle(const ApiRequest& request) {
  try {
    // Cross-site requests: a foreign Origin, or a content type a plain HTML form can send.
    if (isStateChanging(request.method)) {
      if (request.origin &&
          !http::isOwnOrigin(*request.origin, deps_.publicUrl, request.tls, request.host)) {
        spdlog::warn("refused {} {} from {}: foreign origin", request.method, request.path,
                     request.clientAddress);
        return errorResponse(403, "forbidden", "Cross-site requests are not allowed.");
      }
      bool hasBody = !request.body.empty();
      if ((request.contentType && !isJsonContentType(*request.contentType)) ||
          (!request.contentType && hasBody)) {
        spdlog::warn("refused {} {} from {}: content type is not application/json",
                     request.method, request.path, request.clientAddress);
        return errorResponse(403, "forbidden", "Requests must have Content-Type: application/json.");
      }
    }

    const auto& path = request.path;
    const auto& method = request.method;
    if (path == "/api/register" && method == "POST") return registerAccount(request);
    if (path == "/api/login" && method == "POST") return login(request);
    if (path == "/api/logout" && method == "POST") return logout(request);

    bool known = path == "/api/me" || path == "/api/ice-servers" || path == kCamerasPath ||
                 path.starts_with(std::string(kCamerasPath) + "/");
    if (!known) return notFound();
    auto user = authenticate(request.cookieHeader);
    if (!user) return unauthorized();

    if (path == "/api/me" && method == "GET") return me(*user);
    if (path == "/api/ice-servers" && method == "GET") return iceServers(*user);
    if (path == kCamerasPath) {
      if (method == "GET") return listCameras(*user);
      if (method == "POST") return claimCamera(request, *user);
      return notFound();
    }
    if (path.starts_with(std::string(kCamerasPath) + "/")) {
      auto cameraId = path.substr(kCamerasPath.size() + 1);
      if (!identity::isValidCameraId(cameraId)) return notFound();
      if (method == "GET") return getCamera(*user, cameraId);
      if (method == "PATCH") return renameCamera(request, *user, cameraId);
      if (method == "DELETE") return unclaimCamera(*user, cameraId);
    }
    return notFound();
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
    return errorResponse(500, "internal", "Something went wrong on the server. Try again.");
  }
}

std::optional<store::UserRecord> Api::authenticate(std::string_view cookieHeader) {
  auto token = auth::findSessionToken(cookieHeader);
  if (!token || !auth::isWellFormedSessionToken(*token)) return std::nullopt;
  return deps_.store->userForSession(auth::hashSessionToken(*token), unixNow());
}

std::vector<protocol::CameraInfo> Api::camerasOf(store::UserId user) {
  std::vector<protocol::CameraInfo> out;
  for (const auto& camera : deps_.store->camerasOwnedBy(user)) out.push_back(cameraInfo(camera));
  return out;
}

std::vector<protocol::IceServer> Api::iceServersFor(const std::string& subject) const {
  return turn::iceServersFor(deps_.turn, subject);
}

store::NewSession Api::newSessionRecord(std::string& tokenOut) const {
  tokenOut = auth::newSessionToken();
  auto now = unixNow();
  return {auth::hashSessionToken(tokenOut), now, now + auth::kSessionLifetime.count()};
}

std::string Api::openSession(store::UserId user, bool secure) {
  std::string token;
  auto record = newSessionRecord(token);
  deps_.store->deleteExpiredSessions(record.createdAt);
  deps_.store->createSession(user, record);
  return auth::sessionCookie(token, secure);
}

bool Api::claimCodeMatches(const std::string& cameraId, const std::string& claimCode) const {
  auto deviceKey = identity::deriveDeviceKey(deps_.masterKey, cameraId);
  return crypto::constantTimeEqual(identity::deriveClaimCode(deviceKey),
                                   identity::normalizeClaimCode(claimCode));
}

protocol::CameraInfo Api::cameraInfo(const store::CameraRecord& camera) const {
  protocol::CameraInfo info;
  info.id = camera.id;
  info.name = camera.name;
  info.online = deps_.live.isOnline && deps_.live.isOnline(camera.id);
  if (camera.lastSeen) info.lastSeen = isoTime(*camera.lastSeen);
  return info;
}

bool Api::secureCookies(const ApiRequest& request) const {
  return request.tls || deps_.publicUrl.starts_with("https://");
}

ApiResponse Api::rateLimited(std::chrono::seconds wait, const std::string& what) {
  deps_.metrics->recordRateLimited();
  auto minutes = (wait.count() + 59) / 60;
  auto response = errorResponse(
      429, "rate_limited",
      "Too many failed " + what + ". Try again in " + std::to_string(minutes) +
          (minutes == 1 ? " minute." : " minutes."));
  response.headers.emplace_back("Retry-After", std::to_string(wait.count()));
  return response;
}

ApiResponse Api::me(const store::UserRecord& user) {
  ApiResponse response;
  response.body = nlohmann::json{{"user", {{"username", user.username}}}}.dump();
  return response;
}

ApiResponse Api::iceServers(const store::UserRecord& user) {
  ApiResponse response;
  response.body = nlohmann::json{{"iceServers", iceServersFor(user.username)},
                                 {"ttl", deps_.turn.ttl.count()}}
                      .dump();
  return response;
}

}  // namespace seccam::server::api
