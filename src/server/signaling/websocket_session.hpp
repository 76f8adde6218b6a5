// Creates the WebSocket session that owns one connection's I/O (plain or TLS), for the hub.
#pragma once

#include <memory>

#include "server/signaling/hub.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace seccam::server {

class RelayTimer;

// Not started yet: register it, then call start(), which runs it on its shard. `home`: the
// shard (io_context) a plain connection moves to before its handshake (docs/IO-SHARDS.md);
// null keeps it where it was accepted. A TLS connection cannot move. `relayTimer`: where
// the time from a message's read to the write of what it caused is counted (the hub's; it
// outlives its connections).
std::shared_ptr<SignalingConnection> makeWebSocketSession(
    PlainStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, RelayTimer& relayTimer, ConnectionId id,
    ConnectionLimiter::Slot slot, boost::asio::io_context* home = nullptr);
std::shared_ptr<SignalingConnection> makeWebSocketSession(
    TlsStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, RelayTimer& relayTimer, ConnectionId id,
    ConnectionLimiter::Slot slot);

}  // namespace seccam::server
