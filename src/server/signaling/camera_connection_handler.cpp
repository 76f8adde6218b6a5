// Camera authentication (PROTOCOL.md "Camera WebSocket") and the camera's messages.
#include "server/signaling/camera_connection_handler.hpp"

#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/text.hpp"

namespace seccam::server {

namespace {
constexpr std::size_t kNonceBytes = 32;
}  // namespace

CameraConnectionHandler::CameraConnectionHandler(std::shared_ptr<HubCore> core)
    : core_(std::move(core)) {}

void CameraConnectionHandler::onOpen(SignalingConnection& connection) {
  nonce_ = crypto::base64Encode(crypto::randomBytes(kNonceBytes));
  connection.send(protocol::serialize(protocol::Challenge{nonce_}));
  // `this` and `connection` live as long as the callback: the connection owns both.
  connection.startDeadline(core_->limits().cameraAuthTimeout,
                           [this, &connection] { onAuthTimeout(connection); });
}

void CameraConnectionHandler::onMessage(SignalingConnection& connection, std::string_view text) {
  if (state_ == State::rejected) return;
  auto parsed = protocol::parseCameraMessage(text);
  if (state_ == State::awaitingAuth) {
    // Before authenticating, the only acceptable message is a well-formed auth.
    const auto* auth = parsed ? std::get_if<protocol::Auth>(&*parsed.message) : nullptr;
    if (!auth) {
      reject(connection, parsed ? "a message other than auth came first" : parsed.error);
      return;
    }
    verify(connection, *auth);
    return;
  }
  if (!parsed) {
    core_->countProtocolError();
    spdlog::info("camera {} (connection {}): bad_request: {}", cameraId_, connection.id(),
                 parsed.error);
    connection.send(protocol::serialize(
        protocol::Error{parsed.session, protocol::ErrorCode::BadRequest, parsed.error}));
    return;
  }
  if (state_ == State::verifying) {
    connection.send(protocol::serialize(protocol::Error{
        parsed.session, protocol::ErrorCode::BadRequest, "Authentication is in progress."}));
    return;
  }
  core_->fromCamera(connection, std::move(*parsed.message));
}

void CameraConnectionHandler::verify(SignalingConnection& connection, const protocol::Auth& auth) {
  state_ = State::verifying;
  auto deviceKey = identity::deriveDeviceKey(core_->deps().masterKey, auth.camera);
  auto expected = identity::signChallenge(deviceKey, nonce_, auth.camera);
  nonce_.clear();  // one answer per challenge
  if (!crypto::constantTimeEqual(expected, text::lowerCase(auth.signature))) {
    cameraId_ = auth.camera;
    reject(connection, "wrong signature");
    return;
  }
  cameraId_ = auth.camera;
  if (!core_->deps().lookupCamera) {
    reject(connection, "no camera registry configured");
    return;
  }
  auto weak = connection.weak_from_this();
  core_->deps().lookupCamera(cameraId_, [weak, this](bool known) {
    auto alive = weak.lock();
    if (!alive) return;
    alive->post([alive, this, known] { onLookup(*alive, known); });
  });
}

void CameraConnectionHandler::onLookup(SignalingConnection& connection, bool known) {
  if (closed_ || state_ != State::verifying) return;
  if (!known) {
    reject(connection, "unknown or revoked camera");
    return;
  }
  if (!core_->clustered()) {
    join(connection, 0);
    return;
  }
  // Several nodes: the camera is recorded as held here first (newest wins across nodes).
  auto weak = connection.weak_from_this();
  core_->announceCamera(
      cameraId_, connection.id(),
      [weak, this, core = core_, cameraId = cameraId_, id = connection.id()](std::uint64_t epoch) {
        auto alive = weak.lock();
        if (!alive) {
          core->withdrawCamera(cameraId, id);
          return;
        }
        // `this` lives as long as the connection, which `alive` holds.
        alive->post([alive, this, core, cameraId, id, epoch] {
          if (closed_ || state_ != State::verifying) {
            core->withdrawCamera(cameraId, id);
            return;
          }
          join(*alive, epoch);
        });
      });
}

void CameraConnectionHandler::join(SignalingConnection& connection, std::uint64_t epoch) {
  state_ = State::authenticated;
  connection.cancelDeadline();
  spdlog::info("camera {}: authenticated (connection {})", cameraId_, connection.id());
  core_->cameraJoined(connection, cameraId_, epoch);
}

void CameraConnectionHandler::reject(SignalingConnection& connection, std::string_view why) {
  state_ = State::rejected;
  core_->countAuthFailure();
  spdlog::warn("camera connection {}{}{}: authentication failed: {}", connection.id(),
               cameraId_.empty() ? "" : " claiming ", cameraId_, why);
  connection.send(protocol::serialize(
      protocol::Error{{}, protocol::ErrorCode::Unauthorized, "Authentication failed."}));
  connection.close(protocol::CloseCode::Unauthorized, "unauthorized");
}

void CameraConnectionHandler::onAuthTimeout(SignalingConnection& connection) {
  if (state_ == State::authenticated || state_ == State::rejected) return;
  state_ = State::rejected;
  core_->countAuthFailure();
  spdlog::warn("camera connection {}: no authentication in time", connection.id());
  connection.close(protocol::CloseCode::AuthTimeout, "authentication timeout");
}

void CameraConnectionHandler::onLimitExceeded(SignalingConnection& connection,
                                              std::string_view what) {
  core_->countProtocolError();
  spdlog::warn("camera {} (connection {}): {}", cameraId_.empty() ? "?" : cameraId_,
               connection.id(), what);
}

void CameraConnectionHandler::onDroppedTooSlow(SignalingConnection&) {
  core_->countSlowPeerDropped();
}

void CameraConnectionHandler::onClose(SignalingConnection& connection) {
  closed_ = true;
  if (state_ == State::authenticated) core_->cameraLeft(connection.id());
  core_->forget(connection);
}

}  // namespace seccam::server
