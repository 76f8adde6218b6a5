#include "server/push/notifier.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/unix_time.hpp"
#include "server/push/base64url.hpp"
#include "server/push/ece.hpp"
#include "server/push/p256.hpp"
#include "server/push/push_client.hpp"
#include "server/worker_pool.hpp"

namespace seccam::server::push {

struct PushNotifier::Workers {
  explicit Workers(const PushSettings& settings)
      : pool({std::max(1, settings.workers), "seccam-push", WorkerPriority::normal,
              settings.maxQueued}) {}
  WorkerPool pool;
};

std::string pushMessageFor(const std::string& cameraId, const std::string& cameraName,
                           std::int64_t when) {
  return nlohmann::json{{"type", "event"},
                        {"camera", {{"id", cameraId}, {"name", cameraName}}},
                        {"at", isoTime(when)}}
      .dump();
}

PushNotifier::PushNotifier(PushSettings settings, VapidKey key, NotifierHooks hooks)
    : settings_(std::move(settings)),
      key_(std::move(key)),
      hooks_(std::move(hooks)),
      workers_(std::make_unique<Workers>(settings_)) {}

PushNotifier::~PushNotifier() {
  // At shutdown a full queue of requests, each allowed 10 s, would hold the exit for long.
  stopping_ = true;
  workers_->pool.join();
}

void PushNotifier::onOutcome(std::function<void(const PushOutcome&)> observer) {
  observer_ = std::move(observer);
}

bool PushNotifier::notifyOwner(const std::string& cameraId, std::int64_t when) {
  bool queued = workers_->pool.tryPost([this, cameraId, when] { lookUpAndSend(cameraId, when); });
  if (!queued) spdlog::warn("camera {}: push queue full, notification dropped", cameraId);
  return queued;
}

void PushNotifier::lookUpAndSend(const std::string& cameraId, std::int64_t when) {
  if (stopping_) return;
  PushTargets targets;
  try {
    targets = hooks_.targetsOf(cameraId);
  } catch (const std::exception& e) {
    spdlog::error("camera {}: cannot look up push subscriptions: {}", cameraId, e.what());
    return;
  }
  if (targets.subscriptions.empty()) return;
  auto message = pushMessageFor(cameraId, targets.cameraName, when);
  for (auto& subscription : targets.subscriptions) {
    // One job per browser: a slow push service holds one worker, not the others' messages.
    bool queued = workers_->pool.tryPost(
        [this, cameraId, subscription, message] { sendOne(cameraId, subscription, message); });
    if (!queued) spdlog::warn("camera {}: push queue full, notification dropped", cameraId);
  }
}

void PushNotifier::sendOne(const std::string& cameraId, const Subscription& subscription,
                           const std::string& message) {
  if (stopping_) return;
  PushOutcome outcome{cameraId, subscription.endpoint, 0, {}};
  try {
    auto endpoint = parsePushEndpoint(subscription.endpoint, settings_.allowHttp);
    auto p256dh = base64UrlDecode(subscription.p256dh);
    auto auth = base64UrlDecode(subscription.auth);
    if (!endpoint || !p256dh || !auth) throw PushCryptoError("unusable subscription");
    PushRequest request;
    request.endpoint = *endpoint;
    auto expiry = unixNow() + std::chrono::seconds(kVapidTokenLifetime).count();
    request.authorization = key_.authorization(endpoint->origin, settings_.contact, expiry);
    request.body = encryptPushMessage(
        std::span(reinterpret_cast<const std::uint8_t*>(message.data()), message.size()), *p256dh,
        *auth);
    request.ttl = settings_.ttl;
    // Someone at the door: worth waking a phone for (RFC 8030 §5.3).
    request.urgency = "high";
    auto result = sendPushRequest(request);
    outcome.status = result.status;
    outcome.error = result.error;
  } catch (const std::exception& e) {
    outcome.error = e.what();
  }

  if (outcome.status == 404 || outcome.status == 410) {
    // RFC 8030 §7.3: the subscription has expired or was removed by the browser.
    spdlog::info("camera {}: push subscription gone ({}), forgetting it", cameraId, outcome.status);
    try {
      hooks_.subscriptionGone(subscription.endpoint);
    } catch (const std::exception& e) {
      spdlog::error("cannot delete a push subscription: {}", e.what());
    }
  } else if (outcome.status < 200 || outcome.status >= 300) {
    spdlog::warn("camera {}: push request failed: {}", cameraId,
                 outcome.status ? "status " + std::to_string(outcome.status) : outcome.error);
  }
  if (observer_) observer_(outcome);
}

}  // namespace seccam::server::push
