// The JSON API of PROTOCOL.md (accounts, cameras, ICE servers): routes an ApiRequest to its
// handler. Every call blocks (Argon2id, SQLite), so the HTTP layer runs it on the worker pool.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol.hpp"
#include "common/unix_time.hpp"
#include "server/api/api_types.hpp"
#include "server/auth/attempt_throttle.hpp"
#include "server/metrics/metrics.hpp"
#include "server/push/push_settings.hpp"
#include "server/store/store.hpp"
#include "server/turn/turn_credentials.hpp"

namespace seccam::server::api {

// How the API keeps the signaling hub in step (the hub's own types stay out of here).
struct LiveCameraHooks {
  std::function<bool(const std::string& cameraId)> isOnline;
  std::function<void(store::UserId, const std::string& cameraId)> cameraClaimed;
  std::function<void(store::UserId, const std::string& cameraId)> cameraUnclaimed;
  // A session ended here (sign-out, "sign out everywhere", the cap on sessions): the viewer
  // WebSockets opened with it are closed now rather than at the next sweep.
  std::function<void(const std::string& sessionHash)> sessionEnded;
};

struct ApiDependencies {
  store::Store* store = nullptr;
  std::vector<std::uint8_t> masterKey;
  turn::TurnSettings turn;
  std::string publicUrl;
  Metrics* metrics = nullptr;
  LiveCameraHooks live;
  // Sessions an account may have at once; a sign-in past it ends the oldest. 0: no cap.
  std::size_t maxSessionsPerAccount = 0;
  // Web Push: the endpoint rules, the VAPID public key browsers subscribe with (base64url),
  // and notifyOwner (push/notifier.hpp) for "send a test notification"; false: not queued.
  push::PushSettings push;
  std::string vapidPublicKey;
  std::function<bool(const std::string& cameraId, store::UnixTime when)> notifyOwner;
  // Where the sign-in and claim throttles keep their failures (`scope`: "signin", "claim");
  // none: in this process. With a bus, in Redis, shared by every node (docs/BUS.md).
  std::function<auth::AttemptThrottle::WindowFactory(const std::string& scope)> failureWindows;
};

// PROTOCOL.md: 429 after 5 failures in 15 minutes for one account from one address; an
// address, which may be a whole office behind one NAT, gets more across accounts; past 10
// failures of one account from everywhere, addresses that never signed in to it are paced
// (auth/attempt_throttle.hpp, docs/SECURITY.md).
inline constexpr std::size_t kFailuresPerAccount = 5;
inline constexpr std::size_t kFailuresPerAddress = 50;
inline constexpr std::size_t kAccountFailuresBeforePacing = 10;
inline constexpr std::chrono::seconds kFailureWindow{15 * 60};

class Api {
 public:
  explicit Api(ApiDependencies deps);

  static bool handles(std::string_view path) { return path.starts_with("/api/"); }
  // The requests that run Argon2id (sign-in, sign-up): the HTTP layer queues them apart.
  static bool hashesPassword(std::string_view method, std::string_view path) {
    return method == "POST" && (path == "/api/login" || path == "/api/register");
  }
  ApiResponse handle(const ApiRequest& request);

  // The signed-in user of a Cookie header (the viewer WebSocket uses this too).
  std::optional<store::UserRecord> authenticate(std::string_view cookieHeader);
  // The stored form (SHA-256) of the cookie's session token; empty without a usable one.
  static std::string sessionHashOf(std::string_view cookieHeader);
  std::vector<protocol::CameraInfo> camerasOf(store::UserId user);
  std::vector<protocol::IceServer> iceServersFor(const std::string& subject) const;

 private:
  ApiResponse registerAccount(const ApiRequest& request);
  ApiResponse login(const ApiRequest& request);
  ApiResponse logout(const ApiRequest& request);
  ApiResponse me(const store::UserRecord& user);
  ApiResponse listCameras(const store::UserRecord& user);
  ApiResponse claimCamera(const ApiRequest& request, const store::UserRecord& user);
  ApiResponse getCamera(const store::UserRecord& user, const std::string& cameraId);
  ApiResponse renameCamera(const ApiRequest& request, const store::UserRecord& user,
                           const std::string& cameraId);
  ApiResponse unclaimCamera(const store::UserRecord& user, const std::string& cameraId);
  ApiResponse iceServers(const store::UserRecord& user);
  ApiResponse listSessions(const ApiRequest& request, const store::UserRecord& user);
  ApiResponse endSession(const ApiRequest& request, const store::UserRecord& user,
                         const std::string& id);
  ApiResponse endAllSessions(const ApiRequest& request, const store::UserRecord& user);
  void sessionsEnded(const std::vector<std::string>& hashes);
  // Web Push (push_handlers.cpp).
  ApiResponse routePush(const ApiRequest& request, const store::UserRecord& user);
  ApiResponse pushKey();
  ApiResponse listPushSubscriptions(const store::UserRecord& user);
  ApiResponse addPushSubscription(const ApiRequest& request, const store::UserRecord& user);
  ApiResponse removePushSubscription(const ApiRequest& request, const store::UserRecord& user);
  ApiResponse cameraNotifications(const store::UserRecord& user, const std::string& cameraId);
  ApiResponse setCameraNotifications(const ApiRequest& request, const store::UserRecord& user,
                                     const std::string& cameraId);
  ApiResponse testNotification(const store::UserRecord& user, const std::string& cameraId);
  // Motion events (event_handlers.cpp).
  ApiResponse listEvents(const ApiRequest& request, const store::UserRecord& user,
                         const std::string& cameraId);

  // The cookie and the stored session for a fresh sign-in.
  std::string openSession(store::UserId user, bool secure, const std::string& userAgent);
  store::NewSession newSessionRecord(std::string& tokenOut, const std::string& userAgent) const;
  // The one claim check (sign-up and claim). How long claims from this address (and account,
  // when there is one) must wait; zero when they may go ahead.
  std::chrono::seconds claimWait(const std::string& clientAddress,
                                 const std::optional<std::string>& accountKey);
  // The camera, when it exists, is not revoked and the code is its own; otherwise the failure
  // is counted against the address (and the account) and the caller answers claimMismatch().
  std::optional<store::CameraRecord> claimableCamera(const std::string& cameraId,
                                                     const std::string& claimCode,
                                                     const std::string& clientAddress,
                                                     const std::optional<std::string>& accountKey);
  // 400 on claimCode: an unknown camera, a wrong code and a revoked camera look the same.
  static ApiResponse claimMismatch();
  // 409 on cameraId: the camera belongs to another account.
  static ApiResponse cameraTaken();
  protocol::CameraInfo cameraInfo(const store::CameraRecord& camera) const;
  bool secureCookies(const ApiRequest& request) const;
  ApiResponse rateLimited(std::chrono::seconds wait, const std::string& what);

  ApiDependencies deps_;
  static auth::AttemptThrottle::Limits throttleLimits() {
    auth::AttemptThrottle::Limits limits;
    limits.perPair = kFailuresPerAccount;
    limits.perAddress = kFailuresPerAddress;
    limits.accountPacingAfter = kAccountFailuresBeforePacing;
    limits.window = kFailureWindow;
    return limits;
  }
  static auth::AttemptThrottle::WindowFactory windowsFor(const ApiDependencies& deps,
                                                         const std::string& scope) {
    return deps.failureWindows ? deps.failureWindows(scope)
                               : auth::AttemptThrottle::WindowFactory{};
  }
  auth::AttemptThrottle signIns_{throttleLimits(), windowsFor(deps_, "signin")};
  auth::AttemptThrottle claims_{throttleLimits(), windowsFor(deps_, "claim")};
};

// ISO 8601 UTC ("2026-11-25T09:50:00Z") and the time now (common/unix_time.hpp).
using seccam::isoTime;
using seccam::unixNow;

}  // namespace seccam::server::api
