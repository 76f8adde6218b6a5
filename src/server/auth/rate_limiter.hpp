// Counts failures (sign-in, claim) per key in a sliding window; past the limit, a key is
// refused until its oldest failure leaves the window (that wait is the Retry-After).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace seccam::server::auth {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(std::size_t maxFailures, std::chrono::seconds window);

  // How long `key` must wait (rounded up to whole seconds, at least 1), or nullopt when it
  // may try now.
  std::optional<std::chrono::seconds> retryAfter(const std::string& key,
                                                 Clock::time_point now = Clock::now());
  void recordFailure(const std::string& key, Clock::time_point now = Clock::now());
  // A success forgives the key's earlier failures.
  void reset(const std::string& key);

 private:
  void pruneLocked(std::deque<Clock::time_point>& failures, Clock::time_point now) const;
  void forgetIdleKeysLocked(Clock::time_point now);

  // Bounds memory under an address-spraying attack: past this many keys, idle ones go.
  static constexpr std::size_t kMaxTrackedKeys = 100'000;

  std::size_t maxFailures_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace seccam::server::auth
