// What the signaling hub counts, as GET /metrics shows it: the hub fills it in, the metrics
// render it, and neither needs the other's headers.
#pragma once

#include <cstdint>
#include <vector>

namespace seccam::server {

struct HubStats {
  std::uint64_t camerasConnected = 0;
  std::uint64_t viewersConnected = 0;
  std::uint64_t liveSessions = 0;
  std::uint64_t messagesRelayed = 0;
  std::uint64_t cameraAuthFailures = 0;
  std::uint64_t protocolErrors = 0;
  std::uint64_t slowPeersDropped = 0;  // write queue full: the peer read too slowly
  // Open WebSockets on each IO thread (docs/IO-SHARDS.md): how well placement spreads them.
  std::vector<std::uint64_t> websocketsPerIoThread;
};

}  // namespace seccam::server
