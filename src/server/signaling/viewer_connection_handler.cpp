// A signed-in viewer's messages (PROTOCOL.md "Viewer WebSocket").
#include "server/signaling/viewer_connection_handler.hpp"

#include <spdlog/spdlog.h>

namespace seccam::server {

ViewerConnectionHandler::ViewerConnectionHandler(std::shared_ptr<HubCore> core,
                                                 ViewerIdentity identity)
    : core_(std::move(core)), identity_(std::move(identity)) {}

void ViewerConnectionHandler::onOpen(SignalingConnection& connection) {
  auto hello = core_->viewerJoined(connection.id(), identity_);
  // The hub keeps the camera list and the session hash from here on (their memory goes).
  identity_.cameras = {};
  identity_.sessionHash = {};
  if (!hello) {
    // Its camera list is older than the hub remembers: the page reconnects and reads anew.
    connection.close(protocol::CloseCode::GoingAway, "try again");
    return;
  }
  joined_ = true;
  connection.send(protocol::serialize(*hello));  // first: we are on the connection's thread
  spdlog::debug("viewer {}: connected (connection {})", identity_.username, connection.id());
}

void ViewerConnectionHandler::onMessage(SignalingConnection& connection, std::string_view text) {
  auto parsed = protocol::parseViewerMessage(text);
  if (!parsed) {
    core_->countProtocolError();
    spdlog::info("viewer {} (connection {}): bad_request: {}", identity_.username, connection.id(),
                 parsed.error);
    connection.send(protocol::serialize(
        protocol::Error{parsed.session, protocol::ErrorCode::BadRequest, parsed.error}));
    return;
  }
  core_->fromViewer(connection, std::move(*parsed.message));
}

void ViewerConnectionHandler::onLimitExceeded(SignalingConnection& connection,
                                              std::string_view what) {
  core_->countProtocolError();
  spdlog::warn("viewer {} (connection {}): {}", identity_.username, connection.id(), what);
}

void ViewerConnectionHandler::onDroppedTooSlow(SignalingConnection&) {
  core_->countSlowPeerDropped();
}

void ViewerConnectionHandler::onClose(SignalingConnection& connection) {
  if (joined_) core_->viewerLeft(connection.id());
  core_->forget(connection);
  spdlog::debug("viewer {}: disconnected (connection {})", identity_.username, connection.id());
}

}  // namespace seccam::server
