// Key-frame request limiting: see key_frame_limiter.hpp.
#include "camera/pipeline/key_frame_limiter.hpp"

namespace seccam::camera {

KeyFrameLimiter::Verdict KeyFrameLimiter::request(Clock::time_point now) {
  if (forcedOnce_ && now - last_ < interval_) return Verdict::Drop;
  forced(now);
  return Verdict::Forward;
}

void KeyFrameLimiter::forced(Clock::time_point now) {
  forcedOnce_ = true;
  last_ = now;
}

}  // namespace seccam::camera
