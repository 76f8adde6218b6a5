// Counts failures (sign-in, claim) per key in a sliding window; past the limit, a key is
// refused until its oldest failure leaves the window (that wait is the Retry-After).
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace seccam::server::auth {

// Failures per key in a sliding window: kept in this process (RateLimiter), or shared by
// every node of a deployment (bus/shared_failure_window.hpp, docs/BUS.md).
class FailureWindow {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~FailureWindow() = default;
  virtual std::optional<std::chrono::seconds> retryAfter(const std::string& key,
                                                         Clock::time_point now) = 0;
  virtual void recordFailure(const std::string& key, Clock::time_point now) = 0;
  virtual std::size_t count(const std::string& key, Clock::time_point now) = 0;
  virtual std::optional<Clock::time_point> latest(const std::string& key,
                                                  Clock::time_point now) = 0;
  virtual void reset(const std::string& key) = 0;
};

class RateLimiter final : public FailureWindow {
 public:

  // Bounds memory under an address-spraying attack: past this many keys, the key whose last
  // failure is oldest is forgotten (never everyone's at once).
  static constexpr std::size_t kDefaultMaxTrackedKeys = 100'000;

  RateLimiter(std::size_t maxFailures, std::chrono::seconds window,
              std::size_t maxTrackedKeys = kDefaultMaxTrackedKeys);

  // How long `key` must wait (rounded up to whole seconds, at least 1), or nullopt when it
  // may try now.
  std::optional<std::chrono::seconds> retryAfter(const std::string& key,
                                                 Clock::time_point now = Clock::now()) override;
  void recordFailure(const std::string& key, Clock::time_point now = Clock::now()) override;
  // Failures of `key` still in the window (at most the limit: no more are kept), and the
  // newest of them.
  std::size_t count(const std::string& key, Clock::time_point now = Clock::now()) override;
  std::optional<Clock::time_point> latest(const std::string& key,
                                          Clock::time_point now = Clock::now()) override;
  // A success forgives the key's earlier failures.
  void reset(const std::string& key) override;
  std::size_t trackedKeys();

 private:
  // Keys are kept as a fixed-size digest: a 16 KiB username costs what a short one costs.
  using KeyDigest = std::string;
  struct Entry {
    std::vector<Clock::time_point> failures;  // at most maxFailures_, oldest first
    std::list<KeyDigest>::iterator recency;   // its place in recency_
  };
  static KeyDigest digestOf(const std::string& key);
  void pruneLocked(std::vector<Clock::time_point>& failures, Clock::time_point now) const;

  std::size_t maxFailures_;
  std::chrono::seconds window_;
  std::size_t maxTrackedKeys_;
  std::mutex mutex_;
  std::unordered_map<KeyDigest, Entry> entries_;
  std::list<KeyDigest> recency_;  // most recent failure first
};

}  // namespace seccam::server::auth
