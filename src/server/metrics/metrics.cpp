#include "server/metrics/metrics.hpp"

#include <fmt/format.h>

namespace seccam::server {

void Metrics::observeRequest(std::chrono::steady_clock::duration latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBuckets.size() && seconds > kLatencyBuckets[bucket]) ++bucket;
  bucketCounts_[bucket].fetch_add(1, std::memory_order_relaxed);
  requestCount_.fetch_add(1, std::memory_order_relaxed);
  latencyMicrosSum_.fetch_add(
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count()),
      std::memory_order_relaxed);
}

namespace {
void gauge(std::string& out, const char* name, const char* help, const char* type,
           std::uint64_t value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}
}  // namespace

std::string Metrics::render(const HubStats& live, std::uint64_t openConnections) const {
  std::string out;
  gauge(out, "seccam_connections_open",
        "Open connections (HTTP and WebSocket, including those being refused).", "gauge",
        openConnections);
  gauge(out, "seccam_cameras_connected", "Cameras connected and authenticated.", "gauge",
        live.camerasConnected);
  gauge(out, "seccam_viewers_connected", "Viewer WebSocket connections.", "gauge",
        live.viewersConnected);
  gauge(out, "seccam_live_sessions", "Viewing sessions in progress.", "gauge", live.liveSessions);
  gauge(out, "seccam_messages_relayed_total", "Signaling messages relayed.", "counter",
        live.messagesRelayed);
  gauge(out, "seccam_camera_auth_failures_total", "Camera authentications refused.", "counter",
        live.cameraAuthFailures);
  gauge(out, "seccam_protocol_errors_total", "Malformed or refused signaling messages.", "counter",
        live.protocolErrors);
  gauge(out, "seccam_slow_peers_dropped_total",
        "WebSocket peers dropped for reading too slowly (write queue full).", "counter",
        live.slowPeersDropped);
  out +=
      "# HELP seccam_io_thread_websockets Open WebSockets on each IO thread.\n"
      "# TYPE seccam_io_thread_websockets gauge\n";
  for (std::size_t i = 0; i < live.websocketsPerIoThread.size(); ++i) {
    out += fmt::format("seccam_io_thread_websockets{{thread=\"{}\"}} {}\n", i,
                       live.websocketsPerIoThread[i]);
  }
  out += "# HELP seccam_relay_duration_seconds Time a signaling message spends in this server, "
         "from its read (or its arrival over the bus) to the write that sends it on.\n"
         "# TYPE seccam_relay_duration_seconds histogram\n";
  std::uint64_t relayed = 0;
  for (std::size_t i = 0; i < RelayTimes::kBucketNanos.size(); ++i) {
    relayed += live.relayTimes.counts[i];
    out += fmt::format("seccam_relay_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       static_cast<double>(RelayTimes::kBucketNanos[i]) / 1e9, relayed);
  }
  relayed += live.relayTimes.counts.back();
  out += fmt::format("seccam_relay_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", relayed);
  out += fmt::format("seccam_relay_duration_seconds_sum {}\n",
                     static_cast<double>(live.relayTimes.sumNanos) / 1e9);
  out += fmt::format("seccam_relay_duration_seconds_count {}\n", relayed);
  gauge(out, "seccam_sign_in_failures_total", "Failed sign-ins.", "counter",
        signInFailures_.load(std::memory_order_relaxed));
  gauge(out, "seccam_claim_failures_total", "Failed camera claims.", "counter",
        claimFailures_.load(std::memory_order_relaxed));
  gauge(out, "seccam_rate_limited_total", "Requests refused with 429.", "counter",
        rateLimited_.load(std::memory_order_relaxed));
  gauge(out, "seccam_connections_refused_total",
        "Connections past the connection caps (answered 503 or closed unread).", "counter",
        connectionsRefused_.load(std::memory_order_relaxed));
  gauge(out, "seccam_hash_queue_full_total",
        "Sign-ins and sign-ups refused with 503 because the password-hashing queue was full.",
        "counter", hashQueueFull_.load(std::memory_order_relaxed));

  out += "# HELP seccam_http_request_duration_seconds HTTP request latency.\n"
         "# TYPE seccam_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += bucketCounts_[i].load(std::memory_order_relaxed);
    out += fmt::format("seccam_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kLatencyBuckets[i], cumulative);
  }
  cumulative += bucketCounts_.back().load(std::memory_order_relaxed);
  out += fmt::format("seccam_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("seccam_http_request_duration_seconds_sum {}\n",
                     static_cast<double>(latencyMicrosSum_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("seccam_http_request_duration_seconds_count {}\n", cumulative);
  return out;
}

}  // namespace seccam::server
