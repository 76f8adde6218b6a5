// The server's own counters (sign-in and claim failures, rate limiting) and the request
// latency histogram, rendered with the hub's live figures in the Prometheus text format for
// GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "server/metrics/hub_stats.hpp"

namespace seccam::server {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 11> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

  void recordSignInFailure() { signInFailures_.fetch_add(1, std::memory_order_relaxed); }
  void recordClaimFailure() { claimFailures_.fetch_add(1, std::memory_order_relaxed); }
  void recordRateLimited() { rateLimited_.fetch_add(1, std::memory_order_relaxed); }
  // A connection past the connection caps (answered 503 or closed unread).
  void recordConnectionRefused() { connectionsRefused_.fetch_add(1, std::memory_order_relaxed); }
  // A sign-in or sign-up refused (503) because the password-hashing queue was full.
  void recordHashQueueFull() { hashQueueFull_.fetch_add(1, std::memory_order_relaxed); }
  void observeRequest(std::chrono::steady_clock::duration latency);

  // `openConnections`: connections holding a place under the connection caps.
  std::string render(const HubStats& live, std::uint64_t openConnections = 0) const;

 private:
  std::atomic<std::uint64_t> signInFailures_{0};
  std::atomic<std::uint64_t> claimFailures_{0};
  std::atomic<std::uint64_t> rateLimited_{0};
  std::atomic<std::uint64_t> connectionsRefused_{0};
  std::atomic<std::uint64_t> hashQueueFull_{0};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> bucketCounts_{};
  std::atomic<std::uint64_t> requestCount_{0};
  std::atomic<std::uint64_t> latencyMicrosSum_{0};
};

}  // namespace seccam::server
