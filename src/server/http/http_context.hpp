// What every HTTP connection shares: the API, the worker pool, the hub, the metrics and
// the few settings the HTTP layer itself needs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "server/api/api.hpp"
#include "server/http/host_policy.hpp"
#include "server/metrics/metrics.hpp"
#include "server/net/connection_limiter.hpp"

namespace seccam::server {
class Hub;
class WorkerPool;
}  // namespace seccam::server

namespace seccam::server::http {

// Named limits of the HTTP layer (PROTOCOL.md: bodies over 16 KiB get 413).
inline constexpr std::size_t kMaxBodyBytes = 16 * 1024;
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::chrono::seconds kReadTimeout{30};   // also the keep-alive idle time
inline constexpr std::chrono::seconds kWriteTimeout{30};
inline constexpr std::chrono::seconds kTlsHandshakeTimeout{10};
// A connection past the connection caps is read this long at most, answered (503, or
// /healthz) and closed; its client is told to come back after kOverCapRetryAfter.
inline constexpr std::chrono::seconds kOverCapReadTimeout{5};
inline constexpr std::chrono::seconds kOverCapRetryAfter{5};
// Retry-After of a sign-in refused because the hashing queue was full: it drains in well
// under a second at the default size.
inline constexpr std::chrono::seconds kHashQueueFullRetryAfter{1};
inline constexpr std::uintmax_t kMaxStaticFileBytes = 16 * 1024 * 1024;

struct HttpContext {
  api::Api* api = nullptr;
  WorkerPool* workers = nullptr;      // database work (normal priority)
  WorkerPool* hashWorkers = nullptr;  // sign-in and sign-up: Argon2id, bounded queue
  Metrics* metrics = nullptr;
  Hub* hub = nullptr;
  ConnectionLimiter* connections = nullptr;  // null: no connection caps
  std::filesystem::path webRoot;
  std::string publicUrl;
  std::vector<std::string> trustedProxies;  // see client_address.hpp
  bool tls = false;
  HostPolicy hosts{{}};  // the Host headers answered (DNS rebinding)
  std::string metricsToken;  // empty: /metrics for loopback clients only
  std::function<HubStats()> hubStats;  // for /metrics
  // For /healthz: empty when healthy, else what is wrong (e.g. the bus is unreachable).
  std::function<std::string()> unhealthy;
};

}  // namespace seccam::server::http
