// Capped exponential backoff with jitter for reconnecting to the server: the first retry
// comes fast (a restarted server sees its cameras back within a second or two), later ones
// spread out so that a fleet does not hammer a server that is down.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace seccam::camera {

inline constexpr std::chrono::milliseconds kFirstReconnectDelay{500};
inline constexpr std::chrono::milliseconds kMaxReconnectDelay{10'000};
// Each delay is drawn from [base * (1 - kJitter), base].
inline constexpr double kReconnectJitter = 0.3;

class ReconnectBackoff {
 public:
  explicit ReconnectBackoff(unsigned seed = std::random_device{}()) : random_(seed) {}

  std::chrono::milliseconds next() {
    std::chrono::milliseconds grown{kFirstReconnectDelay.count() << std::min(attempt_, 16)};
    auto base = std::min(kMaxReconnectDelay, grown);
    ++attempt_;
    std::uniform_real_distribution<double> spread(1.0 - kReconnectJitter, 1.0);
    return std::chrono::milliseconds(static_cast<long long>(base.count() * spread(random_)));
  }
  // After a successful login: the next loss starts again from the fast first retry.
  void reset() { attempt_ = 0; }

 private:
  int attempt_ = 0;
  std::mt19937 random_;
};

}  // namespace seccam::camera
