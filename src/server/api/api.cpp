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

namespace seccam::server::api {

Api::Api(ApiDependencies deps) : deps_(std::move(deps)) {}

namespace {
constexpr std::string_view kCamerasPath = "/api/cameras";
constexpr std::string_view kSessionsPath = "/api/sessions";
constexpr std::string_view kPushPath = "/api/push/";
constexpr std::string_view kNotificationsSuffix = "/notifications";
constexpr std::string_view kTestSuffix = "/notifications/test";
constexpr std::string_view kEventsSuffix = "/events";

ApiResponse notFound() { return errorResponse(404, protocol::ErrorCode::NotFound, "Not found."); }
ApiResponse unauthorized() {
  return errorResponse(401, protocol::ErrorCode::Unauthorized, "Sign in first.");
}
}  // namespace

ApiResponse Api::handle(const ApiRequest& request) {
  try {
    const auto& path = request.path;
    const auto& method = request.method;
    if (path == "/api/register" && method == "POST") return registerAccount(request);
    if (path == "/api/login" && method == "POST") return login(request);
    if (path == "/api/logout" && method == "POST") return logout(request);

    bool known = path == "/api/me" || path == "/api/ice-servers" || path == kCamerasPath ||
                 path.starts_with(std::string(kCamerasPath) + "/") || path == kSessionsPath ||
                 path.starts_with(std::string(kSessionsPath) + "/") || path.starts_with(kPushPath);
    if (!known) return notFound();
    auto user = authenticate(request.cookieHeader);
    if (!user) return unauthorized();

    if (path == "/api/me" && method == "GET") return me(*user);
    if (path == kSessionsPath) {
      if (method == "GET") return listSessions(request, *user);
      if (method == "DELETE") return endAllSessions(request, *user);
      return notFound();
    }
    if (path.starts_with(std::string(kSessionsPath) + "/")) {
      if (method == "DELETE") {
        return endSession(request, *user, path.substr(kSessionsPath.size() + 1));
      }
      return notFound();
    }
    if (path == "/api/ice-servers" && method == "GET") return iceServers(*user);
    if (path.starts_with(kPushPath)) return routePush(request, *user);
    if (path == kCamerasPath) {
      if (method == "GET") return listCameras(*user);
      if (method == "POST") return claimCamera(request, *user);
      return notFound();
    }
    if (path.starts_with(std::string(kCamerasPath) + "/")) {
      auto cameraId = path.substr(kCamerasPath.size() + 1);
      // /api/cameras/{id}/notifications[/test]: the camera's Web Push switch.
      if (cameraId.ends_with(kTestSuffix)) {
        cameraId.resize(cameraId.size() - kTestSuffix.size());
        if (!identity::isValidCameraId(cameraId) || method != "POST") return notFound();
        return testNotification(*user, cameraId);
      }
      if (cameraId.ends_with(kEventsSuffix)) {
        cameraId.resize(cameraId.size() - kEventsSuffix.size());
        if (!identity::isValidCameraId(cameraId) || method != "GET") return notFound();
        return listEvents(request, *user, cameraId);
      }
      if (cameraId.ends_with(kNotificationsSuffix)) {
        cameraId.resize(cameraId.size() - kNotificationsSuffix.size());
        if (!identity::isValidCameraId(cameraId)) return notFound();
        if (method == "GET") return cameraNotifications(*user, cameraId);
        if (method == "PUT") return setCameraNotifications(request, *user, cameraId);
        return notFound();
      }
      if (!identity::isValidCameraId(cameraId)) return notFound();
      if (method == "GET") return getCamera(*user, cameraId);
      if (method == "PATCH") return renameCamera(request, *user, cameraId);
      if (method == "DELETE") return unclaimCamera(*user, cameraId);
    }
    return notFound();
  } catch (const store::StoreUnavailable& e) {
    // PostgreSQL is down or restarting: the store reconnects by itself once it is back.
    spdlog::error("{} {} failed, the database is unreachable: {}", request.method, request.path,
                  e.what());
    return errorResponse(503, protocol::ErrorCode::Overloaded,
                         "The server cannot reach its database right now. Try again shortly.");
  } catch (const store::StorageFull& e) {
    // Nothing was changed and what is stored is intact; the operator has to free space.
    spdlog::error("{} {} refused, the data disk is full: {}", request.method, request.path,
                  e.what());
    return errorResponse(507, protocol::ErrorCode::StorageFull,
                         "The server's storage is full, so nothing was saved. Try again later.");
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", request.method, request.path, e.what());
    return errorResponse(500, protocol::ErrorCode::Internal,
                         "Something went wrong on the server. Try again.");
  }
}

std::optional<store::UserRecord> Api::authenticate(std::string_view cookieHeader) {
  auto token = auth::findSessionToken(cookieHeader);
  if (!token || !auth::isWellFormedSessionToken(*token)) return std::nullopt;
  auto hash = auth::hashSessionToken(*token);
  auto now = unixNow();
  auto user = deps_.store->userForSession(hash, now);
  if (user) deps_.store->touchSession(hash, now);  // "last active" in the list of sessions
  return user;
}

std::string Api::sessionHashOf(std::string_view cookieHeader) {
  auto token = auth::findSessionToken(cookieHeader);
  if (!token || !auth::isWellFormedSessionToken(*token)) return {};
  return auth::hashSessionToken(*token);
}

std::vector<protocol::CameraInfo> Api::camerasOf(store::UserId user) {
  std::vector<protocol::CameraInfo> out;
  for (const auto& camera : deps_.store->camerasOwnedBy(user)) out.push_back(cameraInfo(camera));
  return out;
}

std::vector<protocol::IceServer> Api::iceServersFor(const std::string& subject) const {
  return turn::iceServersFor(deps_.turn, subject);
}

namespace {
// What the list of sessions shows of a User-Agent: printable ASCII (browsers send nothing
// else), cut to a length that fits a line; anything else would only be a way to store junk.
constexpr std::size_t kMaxUserAgentChars = 256;
std::string displayableUserAgent(const std::string& raw) {
  std::string out;
  for (char c : raw.substr(0, kMaxUserAgentChars)) {
    out += (c >= 0x20 && c <= 0x7e) ? c : '?';
  }
  return out;
}
}  // namespace

store::NewSession Api::newSessionRecord(std::string& tokenOut, const std::string& userAgent) const {
  tokenOut = auth::newSessionToken();
  auto now = unixNow();
  return {auth::hashSessionToken(tokenOut), now, now + auth::kSessionLifetime.count(),
          displayableUserAgent(userAgent)};
}

std::string Api::openSession(store::UserId user, bool secure, const std::string& userAgent) {
  std::string token;
  auto record = newSessionRecord(token, userAgent);
  deps_.store->deleteExpiredSessions(record.createdAt);
  // Past the cap, the oldest sessions end (and their sockets close): sign-ins cannot pile up
  // sessions without bound, and the newest device always gets in.
  sessionsEnded(deps_.store->createSession(user, record, deps_.maxSessionsPerAccount));
  return auth::sessionCookie(token, secure);
}

void Api::sessionsEnded(const std::vector<std::string>& hashes) {
  if (!deps_.live.sessionEnded) return;
  for (const auto& hash : hashes) deps_.live.sessionEnded(hash);
}

std::chrono::seconds Api::claimWait(const std::string& clientAddress,
                                    const std::optional<std::string>& accountKey) {
  return claims_.wait(accountKey, clientAddress);
}

std::optional<store::CameraRecord> Api::claimableCamera(
    const std::string& cameraId, const std::string& claimCode, const std::string& clientAddress,
    const std::optional<std::string>& accountKey) {
  auto camera = deps_.store->findCamera(cameraId);
  if (camera && !camera->revoked) {
    auto deviceKey = identity::deriveDeviceKey(deps_.masterKey, cameraId);
    if (crypto::constantTimeEqual(identity::deriveClaimCode(deviceKey),
                                  identity::normalizeClaimCode(claimCode))) {
      return camera;
    }
  }
  claims_.failed(accountKey, clientAddress);
  deps_.metrics->recordClaimFailure();
  spdlog::warn("claim refused from {}{}{}: camera ID and claim code do not match", clientAddress,
               accountKey ? " for " : "", accountKey.value_or(""));
  return std::nullopt;
}

ApiResponse Api::claimMismatch() {
  static const std::string message = "This camera ID and claim code do not match.";
  return errorResponse(400, protocol::ErrorCode::InvalidInput, message, {{"claimCode", message}});
}

ApiResponse Api::cameraTaken() {
  static const std::string message = "This camera already belongs to an account.";
  return errorResponse(409, protocol::ErrorCode::Conflict, message, {{"cameraId", message}});
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
  auto response =
      errorResponse(429, protocol::ErrorCode::RateLimited,
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
  response.body =
      nlohmann::json{{"iceServers", iceServersFor(user.username)}, {"ttl", deps_.turn.ttl.count()}}
          .dump();
  return response;
}

}  // namespace seccam::server::api
