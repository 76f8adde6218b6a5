// The hub's public face: hands each upgraded connection to a WebSocket session with the
// right role, and forwards the HTTP API's notifications to the shared state.
#include "server/signaling/hub.hpp"

#include <string_view>

#include "common/identity.hpp"
#include "common/text.hpp"
#include "server/net/io_shards.hpp"
#include "server/signaling/camera_connection_handler.hpp"
#include "server/signaling/hub_core.hpp"
#include "server/signaling/viewer_connection_handler.hpp"
#include "server/signaling/websocket_session.hpp"

namespace seccam::server {

struct Hub::State {
  std::shared_ptr<HubCore> core;
};

namespace {

// The camera an upgrade request names for placement (PROTOCOL.md, "Placement hint"): the
// `camera` query parameter when it is a well-formed camera ID, else empty. It decides only
// which shard the connection lives on, never what it may do.
std::string_view placementHint(std::string_view target) {
  auto query = target.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view camera;
  text::forEachQueryPair(target.substr(query + 1), [&](std::string_view name, std::string_view value) {
    if (name == "camera" && camera.empty()) camera = value;
  });
  return identity::isValidCameraId(camera) ? camera : std::string_view{};
}

// The shard a plain connection moves to: its camera's, when the upgrade names one.
boost::asio::io_context* homeOf(const HubCore& core, const HttpRequest& request) {
  auto* shards = core.deps().shards;
  if (!shards || shards->size() < 2) return nullptr;
  auto camera = placementHint(std::string_view(request.target().data(), request.target().size()));
  return camera.empty() ? nullptr : &shards->forCamera(camera);
}

template <class Stream>
void startSession(const std::shared_ptr<HubCore>& core, Stream&& stream, HttpRequest&& request,
                  std::unique_ptr<ConnectionHandler> handler, ConnectionLimiter::Slot&& slot) {
  // Where it will live: its camera's shard (plain connections only), else where it came in.
  boost::asio::io_context* home = nullptr;
  if constexpr (std::is_same_v<std::decay_t<Stream>, PlainStream>) home = homeOf(*core, request);
  auto& shard = home ? *home
                     : static_cast<boost::asio::io_context&>(boost::asio::query(
                           stream.get_executor(), boost::asio::execution::context));
  auto shardIndex = core->deps().shards ? core->deps().shards->indexOf(shard) : 0;
  std::shared_ptr<SignalingConnection> connection;
  if constexpr (std::is_same_v<std::decay_t<Stream>, PlainStream>) {
    connection = makeWebSocketSession(std::move(stream), std::move(request), std::move(handler),
                                      core->limits(), core->relayTimer(), core->nextConnectionId(),
                                      std::move(slot), home);
  } else {
    connection = makeWebSocketSession(std::move(stream), std::move(request), std::move(handler),
                                      core->limits(), core->relayTimer(), core->nextConnectionId(),
                                      std::move(slot));
  }
  connection->setShard(static_cast<std::uint16_t>(shardIndex));
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
