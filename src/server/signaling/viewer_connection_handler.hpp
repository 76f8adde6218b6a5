// The viewer side of a signaling connection: hello first, then the viewer's
// offer/candidate/bye through the hub.
#pragma once

#include <memory>

#include "server/signaling/hub_core.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace seccam::server {

class ViewerConnectionHandler final : public ConnectionHandler {
 public:
  ViewerConnectionHandler(std::shared_ptr<HubCore> core, ViewerIdentity identity);

  void onOpen(SignalingConnection& connection) override;
  void onMessage(SignalingConnection& connection, std::string_view text) override;
  void onLimitExceeded(SignalingConnection& connection, std::string_view what) override;
  void onDroppedTooSlow(SignalingConnection& connection) override;
  void onClose(SignalingConnection& connection) override;

 private:
  std::shared_ptr<HubCore> core_;
  ViewerIdentity identity_;  // its camera list and session hash are handed to the hub on open
  bool joined_ = false;
};

}  // namespace seccam::server
