// Creates the WebSocket session that owns one connection's I/O (plain or TLS), for the hub.
#pragma once

#include <memory>

#include "server/signaling/hub.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace seccam::server {

// Not started yet: register it, then call start().
std::shared_ptr<SignalingConnection> makeWebSocketSession(
    PlainStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, ConnectionId id, ConnectionLimiter::Slot slot);
std::shared_ptr<SignalingConnection> makeWebSocketSession(
    TlsStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, ConnectionId id, ConnectionLimiter::Slot slot);

}  // namespace seccam::server
