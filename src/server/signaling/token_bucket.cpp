// Token bucket arithmetic.
#include "server/signaling/token_bucket.hpp"

#include <algorithm>

namespace seccam::server {

TokenBucket::TokenBucket(double tokensPerSecond, double burst, Clock::time_point now)
    : tokensPerSecond_(tokensPerSecond), burst_(burst), tokens_(burst), last_(now) {}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * tokensPerSecond_);
  last_ = now;
}

bool TokenBucket::tryTake(Clock::time_point now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::isFull(Clock::time_point now) {
  refill(now);
  return tokens_ >= burst_;
}

}  // namespace seccam::server
