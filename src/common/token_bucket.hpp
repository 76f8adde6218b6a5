// A token bucket: the server's per-connection message limit (PROTOCOL.md "Limits"), and the
// camera's pacing of what it sends so that it stays inside that limit.
#pragma once

#include <chrono>

namespace seccam {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts full: a fresh connection may send `burst` messages at once.
  TokenBucket(double tokensPerSecond, double burst, Clock::time_point now);

  // Takes one token if there is one.
  bool tryTake(Clock::time_point now);
  // Whether the bucket has refilled completely (the sender has been calm for a while).
  bool isFull(Clock::time_point now);
  // How long until a token is there (zero if one is).
  Clock::duration untilToken(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  double tokensPerSecond_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace seccam
