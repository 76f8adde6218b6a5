// Web Push (issue 13): the VAPID key browsers subscribe with, each browser's subscription,
// and the per-camera switch. A camera the caller does not own is 404, exactly like one that
// does not exist, for the switch and for a subscription's camera list alike.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/identity.hpp"
#include "server/api/api.hpp"
#include "server/api/request_body.hpp"
#include "server/push/base64url.hpp"
#include "server/push/ece.hpp"

namespace seccam::server::api {
namespace {
constexpr std::string_view kPushKeyPath = "/api/push/key";
constexpr std::string_view kPushSubscriptionsPath = "/api/push/subscriptions";
// A subscription's camera list: more than any account has cameras to switch.
constexpr std::size_t kMaxSubscriptionCameras = 256;

ApiResponse jsonResponse(int status, const nlohmann::json& body) {
  ApiResponse response;
  response.status = status;
  response.body = body.dump();
  return response;
}

ApiResponse noSuchCamera() {
  return errorResponse(404, protocol::ErrorCode::NotFound, "No such camera.");
}

nlohmann::json subscriptionJson(const store::PushSubscriptionRecord& s) {
  return {{"endpoint", s.endpoint},
          {"cameras", s.allCameras ? nlohmann::json(nullptr) : nlohmann::json(s.cameras)},
          {"createdAt", isoTime(s.createdAt)}};
}

bool owns(const store::UserRecord& user, const std::optional<store::CameraRecord>& camera) {
  return camera && camera->ownerId == user.id;
}
}  // namespace

ApiResponse Api::routePush(const ApiRequest& request, const store::UserRecord& user) {
  const auto& method = request.method;
  if (request.path == kPushKeyPath && method == "GET") return pushKey();
  if (request.path == kPushSubscriptionsPath) {
    if (method == "GET") return listPushSubscriptions(user);
    if (method == "POST") return addPushSubscription(request, user);
    if (method == "DELETE") return removePushSubscription(request, user);
  }
  return errorResponse(404, protocol::ErrorCode::NotFound, "Not found.");
}

ApiResponse Api::pushKey() {
  return jsonResponse(200, {{"publicKey", deps_.vapidPublicKey}});
}

ApiResponse Api::listPushSubscriptions(const store::UserRecord& user) {
  auto list = nlohmann::json::array();
  for (const auto& s : deps_.store->pushSubscriptionsOf(user.id)) list.push_back(subscriptionJson(s));
  return jsonResponse(200, {{"subscriptions", list}});
}

ApiResponse Api::addPushSubscription(const ApiRequest& request, const store::UserRecord& user) {
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto endpoint = body->text("endpoint", "Endpoint", true, [this](const std::string& url) {
    return push::pushEndpointProblem(url, deps_.push);
  });

  // keys: {p256dh, auth} as PushSubscription.toJSON() writes them.
  store::PushSubscriptionRecord record;
  const auto& keys = body->raw("keys");
  if (!keys.is_object()) {
    body->problem("keys", keys.is_null() ? "Keys are required." : "Keys must be an object.");
  } else {
    auto p256dh = keys.find("p256dh");
    auto auth = keys.find("auth");
    auto point = p256dh != keys.end() && p256dh->is_string()
                     ? push::base64UrlDecode(p256dh->get<std::string>())
                     : std::nullopt;
    if (!point || !push::isUsableBrowserKey(*point)) {
      body->problem("keys.p256dh", "The p256dh key must be a P-256 public key in base64url.");
    } else {
      record.p256dh = push::base64UrlEncode(*point);
    }
    auto secret = auth != keys.end() && auth->is_string()
                      ? push::base64UrlDecode(auth->get<std::string>())
                      : std::nullopt;
    if (!secret || secret->size() != push::kAuthSecretBytes) {
      body->problem("keys.auth", "The auth secret must be 16 bytes in base64url.");
    } else {
      record.auth = push::base64UrlEncode(*secret);
    }
  }

  // cameras: absent or null for every camera of the account, else a list of camera IDs.
  const auto& cameras = body->raw("cameras");
  if (!cameras.is_null()) {
    record.allCameras = false;
    bool ok = cameras.is_array() && cameras.size() <= kMaxSubscriptionCameras;
    for (const auto& id : ok ? cameras : nlohmann::json::array()) {
      if (!id.is_string() || !identity::isValidCameraId(id.get<std::string>())) {
        ok = false;
        break;
      }
      record.cameras.push_back(id.get<std::string>());
    }
    if (!ok) body->problem("cameras", "Cameras must be a list of camera IDs.");
  }
  if (body->hasProblems()) {
    spdlog::info("push subscription refused for user {}: invalid {}", user.id,
                 body->problemFields());
    return body->invalid();
  }
  for (const auto& id : record.cameras) {
    if (!owns(user, deps_.store->findCamera(id))) return noSuchCamera();
  }
  record.userId = user.id;
  record.endpoint = *endpoint;
  record.createdAt = unixNow();
  deps_.store->savePushSubscription(user.id, record, push::kMaxSubscriptionsPerAccount);
  spdlog::info("user {} subscribed a browser to notifications", user.id);
  return jsonResponse(201, {{"subscription", subscriptionJson(record)}});
}

ApiResponse Api::removePushSubscription(const ApiRequest& request, const store::UserRecord& user) {
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto endpoint = body->text("endpoint", "Endpoint", true);
  if (body->hasProblems()) return body->invalid();
  if (!deps_.store->deletePushSubscription(user.id, *endpoint)) {
    return errorResponse(404, protocol::ErrorCode::NotFound, "No such subscription.");
  }
  ApiResponse response;
  response.status = 204;
  return response;
}

ApiResponse Api::cameraNotifications(const store::UserRecord& user, const std::string& cameraId) {
  auto enabled = deps_.store->cameraNotifications(cameraId, user.id);
  if (!enabled) return noSuchCamera();
  return jsonResponse(200, {{"enabled", *enabled}});
}

ApiResponse Api::setCameraNotifications(const ApiRequest& request, const store::UserRecord& user,
                                        const std::string& cameraId) {
  // Ownership first: someone else's camera is 404 whatever the body says.
  if (!owns(user, deps_.store->findCamera(cameraId))) return noSuchCamera();
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto enabled = body->boolean("enabled", "Enabled", true);
  if (body->hasProblems()) return body->invalid();
  if (!deps_.store->setCameraNotifications(cameraId, user.id, *enabled)) return noSuchCamera();
  spdlog::info("user {} turned notifications {} for camera {}", user.id, *enabled ? "on" : "off",
               cameraId);
  return jsonResponse(200, {{"enabled", *enabled}});
}

ApiResponse Api::testNotification(const store::UserRecord& user, const std::string& cameraId) {
  if (!owns(user, deps_.store->findCamera(cameraId))) return noSuchCamera();
  if (!deps_.notifyOwner || !deps_.notifyOwner(cameraId, unixNow())) {
    auto response = errorResponse(503, protocol::ErrorCode::Overloaded,
                                  "Too many notifications are waiting to be sent. Try again soon.");
    response.headers.emplace_back("Retry-After", "5");
    return response;
  }
  return jsonResponse(202, nlohmann::json::object());
}

}  // namespace seccam::server::api
