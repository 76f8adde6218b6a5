// The camera side of a signaling connection: the HMAC challenge, then relaying the camera's
// answer/candidate/bye through the hub.
#pragma once

#include <memory>
#include <string>

#include "server/signaling/hub_core.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace seccam::server {

class CameraConnectionHandler final : public ConnectionHandler {
 public:
  explicit CameraConnectionHandler(std::shared_ptr<HubCore> core);

  void onOpen(SignalingConnection& connection) override;
  void onMessage(SignalingConnection& connection, std::string_view text) override;
  void onLimitExceeded(SignalingConnection& connection, std::string_view what) override;
  void onDroppedTooSlow(SignalingConnection& connection) override;
  void onClose(SignalingConnection& connection) override;

 private:
  enum class State { awaitingAuth, verifying, authenticated, rejected };

  void verify(SignalingConnection& connection, const protocol::Auth& auth);
  void onLookup(SignalingConnection& connection, bool known);
  void join(SignalingConnection& connection, std::uint64_t epoch);
  void reject(SignalingConnection& connection, std::string_view why);
  void onAuthTimeout(SignalingConnection& connection);

  std::shared_ptr<HubCore> core_;
  State state_ = State::awaitingAuth;
  std::string nonce_;     // the challenge; cleared once an answer was checked (used once)
  std::string cameraId_;  // set once the signature checked out
  bool closed_ = false;
};

}  // namespace seccam::server
