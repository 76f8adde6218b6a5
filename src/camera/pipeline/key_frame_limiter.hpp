// How often viewers may make a shared encoder produce a key frame. Each viewer's webrtcbin
// turns the browser's PLIs into force-key-unit requests that reach the one encoder all
// viewers share: without a limit, one lossy viewer would flood every viewer with key frames
// (large, and themselves prone to loss). Requests closer together than the interval are
// coalesced into one key frame at the end of the interval, so no request is lost, only
// delayed. Plain logic (the caller supplies the time); media_pipeline applies it.
#pragma once

#include <chrono>

namespace seccam::camera {

class KeyFrameLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Verdict {
    Forward,  // let this request reach the encoder
    Defer,    // too soon: drop it, and send one request at deferredUntil()
    Drop,     // too soon, and a request is already deferred: drop it
  };

  explicit KeyFrameLimiter(Clock::duration interval) : interval_(interval) {}

  Verdict request(Clock::time_point now);
  // When the deferred request is due (meaningful after Defer).
  Clock::time_point deferredUntil() const { return last_ + interval_; }
  // The deferred request's time has come: true when it is still wanted (the caller sends it,
  // and it comes back through request()); false when a request went through meanwhile.
  bool takeDeferred();

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool forwardedOnce_ = false;
  bool deferred_ = false;
};

}  // namespace seccam::camera
