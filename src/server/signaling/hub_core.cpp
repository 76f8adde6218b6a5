// Hub state transitions and message routing. Every table change happens under the mutex;
// serialization and sends happen after it is released.
#include "server/signaling/hub_core.hpp"

#include <spdlog/spdlog.h>

#include "common/crypto.hpp"
#include "server/bus/redis_bus.hpp"
#include "server/net/io_shards.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace seccam::server {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

protocol::ErrorCode errorCode(RouteError error) {
  switch (error) {
    case RouteError::notFound:
      return protocol::ErrorCode::NotFound;
    case RouteError::cameraOffline:
      return protocol::ErrorCode::CameraOffline;
    case RouteError::tooManySessions:
      return protocol::ErrorCode::TooManyViewers;
    case RouteError::unavailable:
      return protocol::ErrorCode::Unavailable;
    case RouteError::none:
      break;
  }
  return protocol::ErrorCode::Internal;
}

const char* errorMessage(RouteError error) {
  switch (error) {
    case RouteError::notFound:
      return "No such camera or session.";
    case RouteError::cameraOffline:
      return "The camera is offline.";
    case RouteError::tooManySessions:
      return "Too many live sessions on this connection.";
    case RouteError::unavailable:
      return "The server cannot reach the camera's server right now; try again.";
    case RouteError::none:
      break;
  }
  return "Internal error.";
}

const char* messageName(const protocol::Answer&) { return "answer"; }
const char* messageName(const protocol::Candidate&) { return "candidate"; }
const char* messageName(const protocol::Bye&) { return "bye"; }
const char* messageName(const protocol::Quality&) { return "quality"; }

}  // namespace

HubCore::HubCore(HubDependencies deps, SignalingLimits limits)
    : deps_(std::move(deps)), limits_(limits), table_(limits.maxSessionsPerViewer) {
  if (deps_.bus) nodeId_ = crypto::toHex(crypto::randomBytes(8));
  if (deps_.shards) shardCount_ = deps_.shards->size();
  perShard_ = std::make_unique<std::atomic<std::uint64_t>[]>(shardCount_);
}

bool HubCore::track(const std::shared_ptr<SignalingConnection>& connection) {
  std::lock_guard lock(mutex_);
  if (shuttingDown_) return false;
  connections_.emplace(connection->id(), connection);
  perShard_[connection->shard() % shardCount_].fetch_add(1, std::memory_order_relaxed);
  return true;
}

void HubCore::forget(const SignalingConnection& connection) {
  std::lock_guard lock(mutex_);
  if (connections_.erase(connection.id()) > 0) {
    perShard_[connection.shard() % shardCount_].fetch_sub(1, std::memory_order_relaxed);
  }
}

HubCore::ConnectionPtr HubCore::find(ConnectionId id) const {
  if (id == kNoConnection) return nullptr;
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.lock();
}

std::vector<HubCore::ConnectionPtr> HubCore::findAll(const std::vector<ConnectionId>& ids) const {
  std::vector<ConnectionPtr> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    if (auto c = find(id)) out.push_back(std::move(c));
  }
  return out;
}

std::vector<HubCore::EndedPair> HubCore::resolve(const std::vector<EndedSession>& ended) const {
  std::vector<EndedPair> out;
  out.reserve(ended.size());
  for (const auto& e : ended)
    out.push_back({find(e.viewer), find(e.camera), e.session, e.viewer, e.camera});
  return out;
}

void HubCore::updateGauges() {
  auto local = [](std::size_t all, std::size_t proxies) { return all > proxies ? all - proxies : 0; };
  camerasConnected_.store(local(table_.cameraCount(), cameraProxies_), std::memory_order_relaxed);
  viewersConnected_.store(local(table_.viewerCount(), viewerProxies_), std::memory_order_relaxed);
  liveSessions_.store(table_.sessionCount(), std::memory_order_relaxed);
}

void HubCore::sendByes(const std::vector<EndedPair>& ended, protocol::ByeReason reason,
                       bool toViewer, bool toCamera) {
  for (const auto& e : ended) {
    auto text = std::make_shared<const std::string>(serialize(protocol::byeFor(e.session, reason)));
    if (toViewer && e.viewer) deliver(e.viewer, e.cameraId, true, e.session, "bye", text);
    if (toCamera && e.camera) deliver(e.camera, e.viewerId, false, e.session, "bye", text);
  }
}

bool HubCore::deliver(const ConnectionPtr& to, ConnectionId from, bool fromCamera,
                      const std::string& session, std::string_view kind, SharedText text) {
  if (!to->isRemote()) {
    to->send(std::move(text));
    return true;
  }
  return forward(static_cast<const RemoteConnection&>(*to), from, fromCamera, session, kind,
                 *text);
}

void HubCore::sendStatus(const std::vector<ConnectionPtr>& viewers, const std::string& cameraId,
                         bool online) {
  if (viewers.empty()) return;
  auto text =
      std::make_shared<const std::string>(protocol::serialize(protocol::Status{cameraId, online}));
  for (const auto& v : viewers) v->send(text);
}

void HubCore::refuse(SignalingConnection& to, std::string_view what, const std::string& session,
                     RouteError error) {
  if (error != RouteError::cameraOffline) {
    countProtocolError();
    spdlog::info("connection {}: {} for session {} refused: {}", to.id(), what, session,
                 protocol::wireName(errorCode(error)));
  }
  to.send(protocol::serialize(protocol::Error{session, errorCode(error), errorMessage(error)}));
}

std::uint64_t HubCore::ownershipVersion() const {
  std::lock_guard lock(mutex_);
  return table_.ownershipVersion();
}

std::optional<protocol::Hello> HubCore::viewerJoined(ConnectionId viewer,
                                                     const ViewerIdentity& identity) {
  protocol::Hello hello;
  hello.username = identity.username;
  hello.cameras = identity.cameras;
  std::vector<std::string> cameraIds;
  cameraIds.reserve(hello.cameras.size());
  for (const auto& c : hello.cameras) cameraIds.push_back(c.id);
  {
    std::lock_guard lock(mutex_);
    if (!table_.addViewer(viewer, identity.userId, cameraIds, identity.ownershipVersion)) {
      return std::nullopt;
    }
    // A camera unclaimed since the list was read is neither listed nor watchable.
    std::erase_if(hello.cameras,
                  [&](const protocol::CameraInfo& c) { return !table_.mayWatch(viewer, c.id); });
    if (!identity.sessionHash.empty()) viewerSessionHashes_[viewer] = identity.sessionHash;
    for (auto& c : hello.cameras) c.online = table_.isOnline(c.id);
    updateGauges();
  }
  if (deps_.iceServers) hello.iceServers = deps_.iceServers(identity.username);
  return hello;
}

void HubCore::viewerLeft(ConnectionId viewer) {
  std::vector<EndedPair> ended;
  {
    std::lock_guard lock(mutex_);
    ended = resolve(table_.removeViewer(viewer));
    viewerSessionHashes_.erase(viewer);
    updateGauges();
  }
  sendByes(ended, protocol::ByeReason::ViewerLeft, /*toViewer=*/false, /*toCamera=*/true);
}

std::vector<std::string> HubCore::viewerSessions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  out.reserve(viewerSessionHashes_.size());
  for (const auto& [id, hash] : viewerSessionHashes_) out.push_back(hash);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void HubCore::sessionEnded(const std::string& sessionHash) {
  std::vector<ConnectionPtr> signedOut;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, hash] : viewerSessionHashes_) {
      if (hash != sessionHash) continue;
      if (auto connection = find(id)) signedOut.push_back(std::move(connection));
    }
  }
  // The page sees 4401 and goes to the sign-in page (PROTOCOL.md).
  for (auto& connection : signedOut)
    connection->close(protocol::CloseCode::Unauthorized, "signed out");
}

template <class Message>
void HubCore::relayInSession(SignalingConnection& from, const Message& message,
                             RouteFrom routeFrom, bool fromCamera) {
  constexpr bool endsSession = std::is_same_v<Message, protocol::Bye>;
  Route route;
  ConnectionPtr to;
  {
    std::lock_guard lock(mutex_);
    route = (table_.*routeFrom)(from.id(), message.session, endsSession);
    to = find(route.to);
    if constexpr (endsSession) updateGauges();
  }
  if (route.error != RouteError::none) {
    refuse(from, messageName(message), message.session, route.error);
    return;
  }
  if (!to) return;  // the other end is leaving: the bye for this session is on its way
  if (!deliver(to, from.id(), fromCamera, message.session, messageName(message),
               std::make_shared<const std::string>(protocol::serialize(message)))) {
    refuse(from, messageName(message), message.session, RouteError::unavailable);
    return;
  }
  messagesRelayed_.fetch_add(1, std::memory_order_relaxed);
}

void HubCore::fromViewer(SignalingConnection& viewer, protocol::ViewerToServer&& message) {
  std::visit(Overloaded{[&](protocol::Offer& offer) {
                          Route route;
                          ConnectionPtr camera;
                          {
                            std::lock_guard lock(mutex_);
                            route = table_.offer(viewer.id(), offer.session, offer.camera);
                            camera = find(route.to);
                            updateGauges();
                          }
                          if (route.error == RouteError::none && !camera)
                            route.error = RouteError::cameraOffline;
                          // Without the bus this node cannot know whether another holds it.
                          if (route.error == RouteError::cameraOffline && deps_.bus &&
                              !deps_.bus->connected())
                            route.error = RouteError::unavailable;
                          if (route.error != RouteError::none) {
                            refuse(viewer, "offer", offer.session, route.error);
                            return;
                          }
                          // The camera learns nothing about who asked; it gets ICE servers minted
                          // for it.
                          if (deps_.iceServers) offer.iceServers = deps_.iceServers(offer.camera);
                          offer.camera.clear();
                          if (!deliver(camera, viewer.id(), false, offer.session, "offer",
                                       std::make_shared<const std::string>(
                                           protocol::serialize(offer)))) {
                            // The session was bound here: end it, the viewer may offer again.
                            {
                              std::lock_guard lock(mutex_);
                              table_.fromViewer(viewer.id(), offer.session, true);
                              updateGauges();
                            }
                            refuse(viewer, "offer", offer.session, RouteError::unavailable);
                            return;
                          }
                          messagesRelayed_.fetch_add(1, std::memory_order_relaxed);
                        },
                        [&](const auto& inSession) {  // Candidate, Bye
                          relayInSession(viewer, inSession, &RoutingTable::fromViewer, false);
                        }},
             message);
}

void HubCore::cameraJoined(SignalingConnection& camera, const std::string& cameraId,
                           std::uint64_t epoch) {
  CameraAttached attached;
  ConnectionPtr replaced;
  std::vector<EndedPair> ended;
  std::vector<ConnectionPtr> audience;
  bool older = false;
  {
    std::lock_guard lock(mutex_);
    if (deps_.bus && epoch != 0) {
      // Another node announced a newer connection while this one's announcement was on its
      // way: this one is the older and loses, as on one node.
      auto known = cameraEpochs_.find(cameraId);
      older = known != cameraEpochs_.end() && known->second > epoch &&
              isProxyLocked(table_.cameraConnection(cameraId));
    }
    if (!older) {
      attached = table_.attachCamera(cameraId, camera.id());
      replaced = find(attached.replaced);
      ended = resolve(attached.endedSessions);
      audience = findAll(attached.audience);
      if (deps_.bus) {
        // A camera that had been on another node: its stand-in goes.
        if (isProxyLocked(attached.replaced)) dropProxyLocked(attached.replaced);
        cameraEpochs_[cameraId] = epoch;
      }
      updateGauges();
    }
  }
  if (older) {
    spdlog::info("camera {}: a newer connection on another node replaces connection {}", cameraId,
                 camera.id());
    camera.close(protocol::CloseCode::Replaced, "replaced by a newer connection");
    return;
  }
  // Queued before any offer can reach this connection (we are on its thread).
  protocol::Welcome welcome;
  if (deps_.iceServers) welcome.iceServers = deps_.iceServers(cameraId);
  camera.send(protocol::serialize(welcome));
  if (replaced && !replaced->isRemote()) {
    spdlog::info("camera {}: a newer connection replaces connection {}", cameraId, replaced->id());
    replaced->close(protocol::CloseCode::Replaced, "replaced by a newer connection");
  }
  sendByes(ended, protocol::ByeReason::CameraReconnected, /*toViewer=*/true,
           /*toCamera=*/false);
  sendStatus(audience, cameraId, true);
  if (deps_.cameraSeen) deps_.cameraSeen(cameraId);
}

HubCore::CameraGone HubCore::detachCamera(ConnectionId camera) {
  auto detached = table_.detachCamera(camera);
  CameraGone gone{detached.cameraId, resolve(detached.endedSessions), findAll(detached.audience),
                  camera, isProxyLocked(camera)};
  if (!gone.cameraId.empty()) cameraEpochs_.erase(gone.cameraId);
  if (gone.remote) dropProxyLocked(camera);
  updateGauges();
  return gone;
}

void HubCore::announceOffline(const CameraGone& gone) {
  sendByes(gone.ended, protocol::ByeReason::CameraOffline, /*toViewer=*/true, /*toCamera=*/false);
  sendStatus(gone.audience, gone.cameraId, false);
  if (gone.remote) return;  // its own node records and announces it
  if (deps_.cameraSeen) deps_.cameraSeen(gone.cameraId);
  withdrawCamera(gone.cameraId, gone.connection);
}

void HubCore::cameraLeft(ConnectionId camera) {
  CameraGone gone;
  {
    std::lock_guard lock(mutex_);
    gone = detachCamera(camera);
  }
  if (gone.cameraId.empty()) return;  // replaced or revoked earlier: already handled
  spdlog::info("camera {}: offline", gone.cameraId);
  announceOffline(gone);
}

void HubCore::fromCamera(SignalingConnection& camera, protocol::CameraToServer&& message) {
  std::visit(Overloaded{[&](protocol::Auth&) {
                          camera.send(protocol::serialize(protocol::Error{
                              {}, protocol::ErrorCode::BadRequest, "Already authenticated."}));
                        },
                        [&](protocol::CameraEvent& event) {
                          cameraEvent(camera, std::move(event));
                        },
                        [&](const auto& inSession) {  // Answer, Candidate, Bye, Quality
                          relayInSession(camera, inSession, &RoutingTable::fromCamera, true);
                        }},
             message);
}

bool HubCore::takeEventToken(const std::string& cameraId) {
  double perMinute = limits_.eventsPerMinute;
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = eventBuckets_.try_emplace(cameraId, EventBucket{perMinute, now});
  auto& bucket = it->second;
  if (!fresh) {
    std::chrono::duration<double, std::ratio<60>> elapsed = now - bucket.refilled;
    bucket.tokens = std::min(perMinute, bucket.tokens + elapsed.count() * perMinute);
    bucket.refilled = now;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

void HubCore::cameraEvent(SignalingConnection& camera, protocol::CameraEvent&& event) {
  // The event is the connection's own camera's: the message names no camera, so a camera
  // can report events for itself only.
  std::string cameraId;
  bool allowed = false;
  {
    std::lock_guard lock(mutex_);
    cameraId = table_.cameraIdOf(camera.id());
    if (!cameraId.empty()) {
      allowed = takeEventToken(cameraId);
      // Buckets of cameras that left would pile up: drop the full ones now and then.
      if (eventBuckets_.size() > 4 * (table_.cameraCount() + 16)) {
        std::erase_if(eventBuckets_, [&](const auto& b) { return !table_.isOnline(b.first); });
      }
    }
  }
  if (cameraId.empty()) return;  // replaced meanwhile: the newer connection reports
  if (!allowed) {
    auto dropped = eventsDropped_.fetch_add(1, std::memory_order_relaxed) + 1;
    countProtocolError();
    spdlog::warn("camera {}: more than {} events a minute, event {} dropped ({} dropped so far)",
                 cameraId, limits_.eventsPerMinute, event.id, dropped);
    camera.send(protocol::serialize(protocol::Error{
        {}, protocol::ErrorCode::RateLimited, "Too many events; this one was not recorded."}));
    return;
  }
  if (!deps_.recordEvent) return;
  std::weak_ptr<HubCore> weak = weak_from_this();
  auto text = std::make_shared<const std::string>(
      protocol::serialize(protocol::EventNotice{cameraId, event}));
  std::int64_t startSeconds = event.start / 1000;
  deps_.recordEvent(cameraId, std::move(event),
                    [weak, cameraId, text, startSeconds](bool stored, bool added) {
                      auto self = weak.lock();
                      if (!self || !stored) return;
                      self->sendEventLocally(cameraId, *text);
                      self->broadcastEvent(cameraId, *text);
                      // The first the server hears of an event (its start, or its end when
                      // the start was lost): the owner's browsers are told once.
                      if (added && self->deps_.notifyOwner)
                        self->deps_.notifyOwner(cameraId, startSeconds);
                    });
}

void HubCore::sendEventLocally(const std::string& cameraId, const std::string& text) {
  std::vector<ConnectionPtr> viewers;
  {
    std::lock_guard lock(mutex_);
    viewers = findAll(table_.audienceOf(cameraId));
  }
  if (viewers.empty()) return;
  auto shared = std::make_shared<const std::string>(text);
  for (const auto& v : viewers) {
    if (!v->isRemote()) v->send(shared);
  }
}

bool HubCore::isOnline(const std::string& cameraId) const {
  std::lock_guard lock(mutex_);
  return table_.isOnline(cameraId);
}

void HubCore::cameraClaimed(std::int64_t userId, const std::string& cameraId) {
  CameraClaimed claimed;
  std::vector<ConnectionPtr> viewers;
  {
    std::lock_guard lock(mutex_);
    claimed = table_.claim(userId, cameraId);
    viewers = findAll(claimed.viewers);
  }
  sendStatus(viewers, cameraId, claimed.online);
}

void HubCore::cameraUnclaimed(std::int64_t userId, const std::string& cameraId) {
  std::vector<EndedPair> ended;
  {
    std::lock_guard lock(mutex_);
    ended = resolve(table_.unclaim(userId, cameraId));
    updateGauges();
  }
  sendByes(ended, protocol::ByeReason::Unclaimed, /*toViewer=*/true, /*toCamera=*/true);
}

void HubCore::cameraRevoked(const std::string& cameraId) {
  ConnectionPtr connection;
  CameraGone gone;
  {
    std::lock_guard lock(mutex_);
    auto id = table_.cameraConnection(cameraId);
    if (id == kNoConnection) return;
    connection = find(id);
    gone = detachCamera(id);
  }
  if (gone.remote) {
    announceOffline(gone);  // its own node disconnects it
    return;
  }
  spdlog::info("camera {}: revoked, disconnecting it", cameraId);
  if (connection) {
    connection->send(protocol::serialize(
        protocol::Error{{}, protocol::ErrorCode::Unauthorized, "This camera has been revoked."}));
    connection->close(protocol::CloseCode::Unauthorized, "revoked");
  }
  announceOffline(gone);
}

void HubCore::shutdown() {
  std::vector<ConnectionPtr> all;
  {
    std::lock_guard lock(mutex_);
    shuttingDown_ = true;
    for (const auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) all.push_back(std::move(c));
    }
  }
  for (const auto& c : all) c->close(protocol::CloseCode::GoingAway, "server shutting down");
}

HubStats HubCore::stats() const {
  HubStats s;
  s.camerasConnected = camerasConnected_.load(std::memory_order_relaxed);
  s.viewersConnected = viewersConnected_.load(std::memory_order_relaxed);
  s.liveSessions = liveSessions_.load(std::memory_order_relaxed);
  s.messagesRelayed = messagesRelayed_.load(std::memory_order_relaxed);
  s.cameraAuthFailures = authFailures_.load(std::memory_order_relaxed);
  s.protocolErrors = protocolErrors_.load(std::memory_order_relaxed);
  s.slowPeersDropped = slowPeersDropped_.load(std::memory_order_relaxed);
  s.relayTimes = relayTimer_.snapshot();
  for (std::size_t i = 0; i < shardCount_; ++i) {
    s.websocketsPerIoThread.push_back(perShard_[i].load(std::memory_order_relaxed));
  }
  return s;
}

}  // namespace seccam::server
