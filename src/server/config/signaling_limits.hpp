// The signaling hub's limits and timers (PROTOCOL.md "Limits"): part of the configuration an
// operator sets, and what the hub enforces; a header of its own, so neither pulls in the other.
#pragma once

#include <chrono>
#include <cstddef>

namespace seccam::server {

// PROTOCOL.md "Limits"; named here so that an operator finds them in one place.
struct SignalingLimits {
  std::size_t maxMessageBytes = 64 * 1024;          // larger: close 1009
  double messagesPerSecond = 50;                    // sustained, per connection
  double messageBurst = 200;                        // token bucket depth
  int rateLimitStrikesBeforeClose = 5;              // repeated rate_limited: close 4429
  std::size_t maxSessionsPerViewer = 16;
  std::chrono::seconds pingInterval{20};            // a peer that misses two pings is dropped
  std::chrono::seconds cameraAuthTimeout{10};       // no auth in time: close 4408
  std::size_t maxQueuedWrites = 256;                // a slower peer is dropped, never buffered forever
  // [events] max-per-minute: `event` messages one camera may send a minute (start and end
  // count one each, bursts of as many); past it they are dropped with `rate_limited`, so a
  // camera flooding events cannot fill the database.
  double eventsPerMinute = 30;
};

}  // namespace seccam::server
