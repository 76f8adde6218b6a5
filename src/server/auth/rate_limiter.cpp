#include "server/auth/rate_limiter.hpp"

namespace seccam::server::auth {

RateLimiter::RateLimiter(std::size_t maxFailures, std::chrono::seconds window)
    : maxFailures_(maxFailures), window_(window) {}

void RateLimiter::pruneLocked(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && failures.front() + window_ <= now) failures.pop_front();
}

std::optional<std::chrono::seconds> RateLimiter::retryAfter(const std::string& key,
                                                            Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  pruneLocked(it->second, now);
  if (it->second.size() < maxFailures_) return std::nullopt;
  // Free again when enough failures have left the window to fall under the limit.
  auto freedAt = it->second[it->second.size() - maxFailures_] + window_;
  auto wait = std::chrono::ceil<std::chrono::seconds>(freedAt - now);
  return std::max(wait, std::chrono::seconds(1));
}

void RateLimiter::recordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= kMaxTrackedKeys && !failures_.contains(key)) forgetIdleKeysLocked(now);
  auto& failures = failures_[key];
  pruneLocked(failures, now);
  failures.push_back(now);
  // Keep no more history than the decision needs.
  while (failures.size() > maxFailures_) failures.pop_front();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

void RateLimiter::forgetIdleKeysLocked(Clock::time_point now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    pruneLocked(it->second, now);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  // Still full of active keys: drop everything rather than grow without bound.
  if (failures_.size() >= kMaxTrackedKeys) failures_.clear();
}

}  // namespace seccam::server::auth
