// The server's own counters and the request latency histogram, rendered with the hub's
// live figures in the Prometheus text format for GET /metrics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace seccam::server::api {

// What the signaling hub reports (mirrors HubStats without pulling the hub's headers in).
struct LiveCounts {
  std::uint64_t camerasConnected = 0;
  std::uint64_t viewersConnected = 0;
  std::uint64_t liveSessions = 0;
  std::uint64_t messagesRelayed = 0;
  std::uint64_t cameraAuthFailures = 0;
  std::uint64_t protocolErrors = 0;
  std::uint64_t slowPeersDropped = 0;
};

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 11> kLatencyBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};

  void recordSignInFailure() { signInFailures_.fetch_add(1, std::memory_order_relaxed); }
  void recordClaimFailure() { claimFailures_.fetch_add(1, std::memory_order_relaxed); }
  void recordRateLimited() { rateLimited_.fetch_add(1, std::memory_order_relaxed); }
  void observeRequest(std::chrono::steady_clock::duration latency);

  std::string render(const LiveCounts& live) const;

 private:
  std::atomic<std::uint64_t> signInFailures_{0};
  std::atomic<std::uint64_t> claimFailures_{0};
  std::atomic<std::uint64_t> rateLimited_{0};
  std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1> bucketCounts_{};
  std::atomic<std::uint64_t> requestCount_{0};
  std::atomic<std::uint64_t> latencyMicrosSum_{0};
};

}  // namespace seccam::server::api
