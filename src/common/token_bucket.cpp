// Token bucket arithmetic.
#include "common/token_bucket.hpp"

#include <algorithm>

namespace seccam {

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

TokenBucket::Clock::duration TokenBucket::untilToken(Clock::time_point now) {
  refill(now);
  if (tokens_ >= 1.0) return Clock::duration::zero();
  std::chrono::duration<double> wait((1.0 - tokens_) / tokensPerSecond_);
  // Rounded up, so that a wake-up at that time finds the token there.
  return std::chrono::ceil<Clock::duration>(wait) + Clock::duration(1);
}

}  // namespace seccam
