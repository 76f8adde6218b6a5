// How often viewers may make a shared encoder produce a key frame. Each viewer's webrtcbin
// turns the browser's PLIs into force-key-unit requests that reach the one encoder all
// viewers share: without a limit, one lossy viewer would flood every viewer with key frames
// (large, and themselves prone to loss). A request within the interval after the last key
// frame is dropped: that key frame is on its way, and Chromium repeats a request it still
// needs (after a second with NACK on). Plain logic (the caller supplies the time);
// media_pipeline applies it.
#pragma once

#include <chrono>

namespace seccam::camera {

class KeyFrameLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Verdict {
    Forward,  // let this request reach the encoder
    Drop,     // too soon after the last forced key frame
  };

  explicit KeyFrameLimiter(Clock::duration interval) : interval_(interval) {}

  Verdict request(Clock::time_point now);
  // A key frame forced without asking (a viewer joining): counts as the last one.
  void forced(Clock::time_point now);

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool forcedOnce_ = false;
};

}  // namespace seccam::camera
