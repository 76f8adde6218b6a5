// Key-frame request coalescing: see key_frame_limiter.hpp.
#include "camera/pipeline/key_frame_limiter.hpp"

namespace seccam::camera {

KeyFrameLimiter::Verdict KeyFrameLimiter::request(Clock::time_point now) {
  if (!forwardedOnce_ || now - last_ >= interval_) {
    forwardedOnce_ = true;
    last_ = now;
    deferred_ = false;  // this key frame serves whoever was waiting too
    return Verdict::Forward;
  }
  if (deferred_) return Verdict::Drop;
  deferred_ = true;
  return Verdict::Defer;
}

bool KeyFrameLimiter::takeDeferred() {
  bool wanted = deferred_;
  deferred_ = false;
  return wanted;
}

}  // namespace seccam::camera
