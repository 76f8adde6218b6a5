// notifyOwner: what the rest of the server calls when something happens at a camera. It
// pushes a short message ("this camera, at this time", nothing more) to every browser of
// the camera's owner that subscribed with that camera switched on, off the caller's thread
// and with a bounded number of requests in flight. A browser whose subscription the push
// service says is gone (404, 410) is forgotten.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/push/push_settings.hpp"
#include "server/push/vapid.hpp"

namespace seccam::server::push {

struct Subscription {
  std::string endpoint;
  std::string p256dh;  // base64url, as the browser gave it
  std::string auth;    // base64url
};

// Whom to tell about a camera: its name and the subscriptions that want it.
struct PushTargets {
  std::string cameraName;
  std::vector<Subscription> subscriptions;
};

// The store, seen from here (filled in by server.cpp; both may block, and run on the push
// workers).
struct NotifierHooks {
  std::function<PushTargets(const std::string& cameraId)> targetsOf;
  std::function<void(const std::string& endpoint)> subscriptionGone;
};

// What became of each push request (for tests and /metrics-style counting).
struct PushOutcome {
  std::string cameraId;
  std::string endpoint;
  int status = 0;     // the push service's HTTP status, 0 when none came
  std::string error;  // when none came
};

// The message a browser receives (JSON): {"type":"event","camera":{"id","name"},"at":ISO}.
std::string pushMessageFor(const std::string& cameraId, const std::string& cameraName,
                           std::int64_t when);

class PushNotifier {
 public:
  PushNotifier(PushSettings settings, VapidKey key, NotifierHooks hooks);
  ~PushNotifier();  // drops what is still queued, waits for the requests in flight
  PushNotifier(const PushNotifier&) = delete;
  PushNotifier& operator=(const PushNotifier&) = delete;

  // Returns at once; the lookup and the requests run on the push workers. `when`: seconds
  // since the epoch. False when the queue was full and nothing was queued.
  bool notifyOwner(const std::string& cameraId, std::int64_t when);

  // Called on a push worker after every request (tests).
  void onOutcome(std::function<void(const PushOutcome&)> observer);
  const VapidKey& key() const { return key_; }

 private:
  void lookUpAndSend(const std::string& cameraId, std::int64_t when);
  void sendOne(const std::string& cameraId, const Subscription& subscription,
               const std::string& message);

  PushSettings settings_;
  VapidKey key_;
  NotifierHooks hooks_;
  std::function<void(const PushOutcome&)> observer_;
  std::atomic<bool> stopping_{false};
  struct Workers;
  std::unique_ptr<Workers> workers_;
};

}  // namespace seccam::server::push
