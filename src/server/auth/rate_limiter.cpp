// Failures per key in a sliding window: see rate_limiter.hpp.
#include "server/auth/rate_limiter.hpp"

#include <algorithm>

#include "common/crypto.hpp"

namespace seccam::server::auth {

namespace {
// 128 bits of SHA-256: no two keys an attacker can choose collide.
constexpr std::size_t kDigestBytes = 16;
}  // namespace

RateLimiter::RateLimiter(std::size_t maxFailures, std::chrono::seconds window,
                         std::size_t maxTrackedKeys)
    : maxFailures_(maxFailures),
      window_(window),
      maxTrackedKeys_(std::max<std::size_t>(1, maxTrackedKeys)) {}

RateLimiter::KeyDigest RateLimiter::digestOf(const std::string& key) {
  auto digest = crypto::sha256(key);
  return KeyDigest(reinterpret_cast<const char*>(digest.data()), kDigestBytes);
}

void RateLimiter::pruneLocked(std::vector<Clock::time_point>& failures,
                              Clock::time_point now) const {
  auto firstLive = std::find_if(failures.begin(), failures.end(),
                                [&](Clock::time_point t) { return t + window_ > now; });
  failures.erase(failures.begin(), firstLive);
}

std::optional<std::chrono::seconds> RateLimiter::retryAfter(const std::string& key,
                                                            Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(digestOf(key));
  if (it == entries_.end()) return std::nullopt;
  auto& failures = it->second.failures;
  pruneLocked(failures, now);
  if (failures.size() < maxFailures_) return std::nullopt;
  // Free again when enough failures have left the window to fall under the limit.
  auto freedAt = failures[failures.size() - maxFailures_] + window_;
  auto wait = std::chrono::ceil<std::chrono::seconds>(freedAt - now);
  return std::max(wait, std::chrono::seconds(1));
}

void RateLimiter::recordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto digest = digestOf(key);
  auto it = entries_.find(digest);
  if (it == entries_.end()) {
    if (entries_.size() >= maxTrackedKeys_) {
      // The key that failed longest ago goes (idle ones first, by construction).
      entries_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(digest);
    it = entries_.emplace(std::move(digest), Entry{{}, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
  }
  auto& failures = it->second.failures;
  pruneLocked(failures, now);
  failures.push_back(now);
  // Keep no more history than the decision needs.
  if (failures.size() > maxFailures_) failures.erase(failures.begin());
}

std::size_t RateLimiter::count(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(digestOf(key));
  if (it == entries_.end()) return 0;
  pruneLocked(it->second.failures, now);
  return it->second.failures.size();
}

std::optional<RateLimiter::Clock::time_point> RateLimiter::latest(const std::string& key,
                                                                  Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(digestOf(key));
  if (it == entries_.end()) return std::nullopt;
  pruneLocked(it->second.failures, now);
  if (it->second.failures.empty()) return std::nullopt;
  return it->second.failures.back();
}

void RateLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(digestOf(key));
  if (it == entries_.end()) return;
  recency_.erase(it->second.recency);
  entries_.erase(it);
}

std::size_t RateLimiter::trackedKeys() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace seccam::server::auth
