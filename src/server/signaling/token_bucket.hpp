// Per-connection message rate limit (PROTOCOL.md "Limits"): a token bucket.
#pragma once

#include <chrono>

namespace seccam::server {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full: a fresh connection may send `burst` messages at once.
  TokenBucket(double tokensPerSecond, double burst, Clock::time_point now);

  // Takes one token if there is one.
  bool tryTake(Clock::time_point now);
  // Whether the bucket has refilled completely (the sender has been calm for a while).
  bool isFull(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double tokensPerSecond_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace seccam::server
