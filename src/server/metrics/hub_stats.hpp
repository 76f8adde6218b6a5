// What the signaling hub counts, as GET /metrics shows it: the hub fills it in, the metrics
// render it, and neither needs the other's headers.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace seccam::server {

// Time inside the relay (RelayTimer): how many messages took at most each bucket's bound, the
// last bucket counting the rest, and their sum.
struct RelayTimes {
  static constexpr std::array<std::int64_t, 12> kBucketNanos = {
      25'000,    50'000,     100'000,    250'000,    500'000,     1'000'000,
      2'500'000, 5'000'000, 10'000'000, 25'000'000, 100'000'000, 1'000'000'000};
  std::array<std::uint64_t, kBucketNanos.size() + 1> counts{};
  std::uint64_t sumNanos = 0;
};

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
  RelayTimes relayTimes;
};

}  // namespace seccam::server
