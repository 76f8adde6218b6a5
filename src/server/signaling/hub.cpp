// The hub's public face: hands each upgraded connection to a WebSocket session with the
// right role, and forwards the HTTP API's notifications to the shared state.
#include "server/signaling/hub.hpp"

#include "server/signaling/camera_connection_handler.hpp"
#include "server/signaling/hub_core.hpp"
#include "server/signaling/viewer_connection_handler.hpp"
#include "server/signaling/websocket_session.hpp"

namespace seccam::server {

struct Hub::State {
  std::shared_ptr<HubCore> core;
};

namespace {

template <class Stream>
void startSession(const std::shared_ptr<HubCore>& core, Stream&& stream, HttpRequest&& request,
                  std::unique_ptr<ConnectionHandler> handler, ConnectionLimiter::Slot&& slot) {
  auto connection = makeWebSocketSession(std::move(stream), std::move(request), std::move(handler),
                                         core->limits(), core->nextConnectionId(), std::move(slot));
  // After shutdown the connection is dropped here (its socket closes with it).
  if (core->track(connection)) connection->start();
}

}  // namespace

Hub::Hub(HubDependencies deps, SignalingLimits limits)
    : state_(std::make_shared<State>(State{std::make_shared<HubCore>(std::move(deps), limits)})) {
  state_->core->attachBus();
}

Hub::~Hub() { state_->core->shutdown(); }

void Hub::acceptViewer(PlainStream stream, HttpRequest request, ViewerIdentity viewer,
                       ConnectionLimiter::Slot slot) {
  startSession(state_->core, std::move(stream), std::move(request),
               std::make_unique<ViewerConnectionHandler>(state_->core, std::move(viewer)),
               std::move(slot));
}

void Hub::acceptViewer(TlsStream stream, HttpRequest request, ViewerIdentity viewer,
                       ConnectionLimiter::Slot slot) {
  startSession(state_->core, std::move(stream), std::move(request),
               std::make_unique<ViewerConnectionHandler>(state_->core, std::move(viewer)),
               std::move(slot));
}

void Hub::acceptCamera(PlainStream stream, HttpRequest request, ConnectionLimiter::Slot slot) {
  startSession(state_->core, std::move(stream), std::move(request),
               std::make_unique<CameraConnectionHandler>(state_->core), std::move(slot));
}

void Hub::acceptCamera(TlsStream stream, HttpRequest request, ConnectionLimiter::Slot slot) {
  startSession(state_->core, std::move(stream), std::move(request),
               std::make_unique<CameraConnectionHandler>(state_->core), std::move(slot));
}

bool Hub::isOnline(const std::string& cameraId) const { return state_->core->isOnline(cameraId); }

// Claims, unclaims and ended sessions happen on one node's API; the other nodes hear them on
// the bus and apply them to their own connections (HubCore::onBusMessage).
void Hub::cameraClaimed(std::int64_t userId, const std::string& cameraId) {
  state_->core->cameraClaimed(userId, cameraId);
  state_->core->broadcastOwnership(userId, cameraId, true);
}

void Hub::cameraUnclaimed(std::int64_t userId, const std::string& cameraId) {
  state_->core->cameraUnclaimed(userId, cameraId);
  state_->core->broadcastOwnership(userId, cameraId, false);
}

void Hub::cameraRevoked(const std::string& cameraId) { state_->core->cameraRevoked(cameraId); }
std::vector<std::string> Hub::viewerSessions() const { return state_->core->viewerSessions(); }
std::uint64_t Hub::ownershipVersion() const { return state_->core->ownershipVersion(); }
void Hub::sessionEnded(const std::string& sessionHash) {
  state_->core->sessionEnded(sessionHash);
  state_->core->broadcastSessionEnded(sessionHash);
}
std::string Hub::nodeId() const { return state_->core->nodeId(); }

HubStats Hub::stats() const { return state_->core->stats(); }

void Hub::shutdown() { state_->core->shutdown(); }

}  // namespace seccam::server
