// How long a signaling message spends inside this server: from the read that brought it in
// (or its arrival over the bus) to the system call that sends on what it caused. Filled in
// by the IO threads, one observation a message; rendered as seccam_relay_duration_seconds.
// This is the relay's own share of a message's latency: the wake-ups and the network around
// it are not in it (docs/PERFORMANCE.md §4).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "server/metrics/hub_stats.hpp"

namespace seccam::server {

class RelayTimer {
 public:
  void observe(std::int64_t nanos) {
    std::size_t bucket = 0;
    while (bucket < RelayTimes::kBucketNanos.size() && nanos > RelayTimes::kBucketNanos[bucket]) {
      ++bucket;
    }
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sumNanos_.fetch_add(static_cast<std::uint64_t>(nanos > 0 ? nanos : 0), std::memory_order_relaxed);
  }

  RelayTimes snapshot() const {
    RelayTimes times;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      times.counts[i] = counts_[i].load(std::memory_order_relaxed);
    }
    times.sumNanos = sumNanos_.load(std::memory_order_relaxed);
    return times;
  }

 private:
  std::array<std::atomic<std::uint64_t>, RelayTimes::kBucketNanos.size() + 1> counts_{};
  std::atomic<std::uint64_t> sumNanos_{0};
};

}  // namespace seccam::server
