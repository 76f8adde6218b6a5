// The hub's shared state: the routing table and the live connections under one mutex, the
// counters, and the delivery of routed messages. Connections are looked up under the lock
// and sent to outside it (at once on the connection's own IO thread, else posted there).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/protocol.hpp"
#include "server/metrics/relay_timer.hpp"
#include "server/signaling/hub.hpp"
#include "server/signaling/routing_table.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace seccam::server {

// A connection on another node, as this node's routing table sees it (docs/BUS.md): a camera
// held by another node, or a viewer on another node with sessions on a camera of this one.
// Nothing is sent to it directly: HubCore forwards its messages over the bus.
class RemoteConnection final : public SignalingConnection {
 public:
  RemoteConnection(ConnectionId id, std::string node, ConnectionId remoteId, bool camera)
      : SignalingConnection(id), node(std::move(node)), remoteId(remoteId), camera(camera) {}
  using SignalingConnection::send;
  bool isRemote() const override { return true; }
  void start() override {}
  void send(SharedText) override {}
  void close(protocol::CloseCode, std::string) override {}
  void post(std::function<void()> work) override { work(); }
  void startDeadline(std::chrono::steady_clock::duration, std::function<void()>) override {}
  void cancelDeadline() override {}

  const std::string node;        // the node that holds it
  const ConnectionId remoteId;   // its connection ID there
  const bool camera;             // a camera (else a viewer)
};

class HubCore : public std::enable_shared_from_this<HubCore> {
 public:
  HubCore(HubDependencies deps, SignalingLimits limits);

  const HubDependencies& deps() const { return deps_; }
  const SignalingLimits& limits() const { return limits_; }
  RelayTimer& relayTimer() { return relayTimer_; }

  ConnectionId nextConnectionId() { return ++lastConnectionId_; }
  // false after shutdown(): the connection must not start.
  bool track(const std::shared_ptr<SignalingConnection>& connection);
  void forget(const SignalingConnection& connection);

  // A viewer connection opened: returns its hello (to be sent first).
  // Nothing when the identity's camera list is too old to bring up to date (see RoutingTable).
  std::optional<protocol::Hello> viewerJoined(ConnectionId viewer, const ViewerIdentity& identity);
  std::uint64_t ownershipVersion() const;
  void viewerLeft(ConnectionId viewer);
  void fromViewer(SignalingConnection& viewer, protocol::ViewerToServer&& message);

  // A camera connection authenticated: sends welcome, replaces an older connection.
  // `epoch`: its place in the bus's order of camera connections (0 without a bus).
  void cameraJoined(SignalingConnection& camera, const std::string& cameraId,
                    std::uint64_t epoch = 0);
  void cameraLeft(ConnectionId camera);
  void fromCamera(SignalingConnection& camera, protocol::CameraToServer&& message);

  bool isOnline(const std::string& cameraId) const;
  void cameraClaimed(std::int64_t userId, const std::string& cameraId);
  void cameraUnclaimed(std::int64_t userId, const std::string& cameraId);
  void cameraRevoked(const std::string& cameraId);
  std::vector<std::string> viewerSessions() const;
  void sessionEnded(const std::string& sessionHash);
  void shutdown();

  // --- the bus (hub_cluster.cpp, docs/BUS.md); all of it does nothing without one ---
  bool clustered() const { return deps_.bus != nullptr; }
  const std::string& nodeId() const { return nodeId_; }
  // Subscribes this node's channels (called once, before the bus starts).
  void attachBus();
  // Records the camera as held here (newest wins across nodes) before it joins: `done` gets
  // its epoch (0 when the bus is down: it is announced once the bus is back). Any thread.
  void announceCamera(const std::string& cameraId, ConnectionId connection,
                      std::function<void(std::uint64_t epoch)> done);
  // An announced camera connection closed before it could join: withdraw it.
  void withdrawCamera(const std::string& cameraId, ConnectionId connection);
  void broadcastOwnership(std::int64_t userId, const std::string& cameraId, bool claimed);
  void broadcastSessionEnded(const std::string& sessionHash);
  // A camera's event, stored: to its owner's viewers on every node.
  void broadcastEvent(const std::string& cameraId, const std::string& text);

  void countAuthFailure() { authFailures_.fetch_add(1, std::memory_order_relaxed); }
  void countProtocolError() { protocolErrors_.fetch_add(1, std::memory_order_relaxed); }
  void countSlowPeerDropped() { slowPeersDropped_.fetch_add(1, std::memory_order_relaxed); }
  // Sends an event notice (serialized) to this node's viewers of the camera's owner.
  void sendEventLocally(const std::string& cameraId, const std::string& text);
  HubStats stats() const;

 private:
  using ConnectionPtr = std::shared_ptr<SignalingConnection>;
  struct EndedPair {
    ConnectionPtr viewer;
    ConnectionPtr camera;
    std::string session;
    ConnectionId viewerId = kNoConnection;
    ConnectionId cameraId = kNoConnection;
  };

  ConnectionPtr find(ConnectionId id) const;  // mutex held
  std::vector<ConnectionPtr> findAll(const std::vector<ConnectionId>& ids) const;
  std::vector<EndedPair> resolve(const std::vector<EndedSession>& ended) const;
  void updateGauges();  // mutex held

  // A camera connection taken out of the table: what is left to tell (outside the lock).
  struct CameraGone {
    std::string cameraId;  // empty: it had been replaced or revoked already
    std::vector<EndedPair> ended;
    std::vector<ConnectionPtr> audience;
    ConnectionId connection = kNoConnection;
    bool remote = false;  // a camera of another node: that node records and announces it
  };
  CameraGone detachCamera(ConnectionId camera);  // mutex held
  // bye camera_offline to its viewers, status offline to its audience, last seen now.
  void announceOffline(const CameraGone& gone);

  void sendByes(const std::vector<EndedPair>& ended, protocol::ByeReason reason, bool toViewer,
                bool toCamera);
  // Sends to a local connection, or forwards to a remote one over the bus (`from`: the
  // sender's connection here). False when the bus cannot take it.
  bool deliver(const ConnectionPtr& to, ConnectionId from, bool fromCamera,
               const std::string& session, std::string_view kind, SharedText text);
  bool forward(const RemoteConnection& to, ConnectionId from, bool fromCamera,
               const std::string& session, std::string_view kind, const std::string& text);
  static void sendStatus(const std::vector<ConnectionPtr>& viewers, const std::string& cameraId,
                         bool online);
  // Relays an answer, candidate or bye to the other end of its session (a bye ends it), or
  // refuses it when it is not the sender's own session.
  using RouteFrom = Route (RoutingTable::*)(ConnectionId, const std::string&, bool);
  template <class Message>
  void relayInSession(SignalingConnection& from, const Message& message, RouteFrom routeFrom,
                      bool fromCamera);
  // Answers a refused route; refusals that point at a confused or probing client are
  // logged and counted (an offline camera is neither).
  void refuse(SignalingConnection& to, std::string_view what, const std::string& session,
              RouteError error);
  // A camera's `event`: rate-limited per camera, stored off the IO thread, then pushed.
  void cameraEvent(SignalingConnection& camera, protocol::CameraEvent&& event);
  bool takeEventToken(const std::string& cameraId);  // mutex held

  // --- the bus (hub_cluster.cpp) ---
  void onBusMessage(const std::string& channel, const std::string& payload);
  void onPlainMessage(std::string_view payload);  // a session's message: hub_cluster.cpp
  void onBusState(bool up);
  void onBusTick();
  void remoteMessage(const std::string& node, ConnectionId from, bool fromCamera, ConnectionId to,
                     const std::string& session, const std::string& kind, std::string text);
  void remoteRefusal(const std::string& node, ConnectionId camera, const std::string& session,
                     const std::string& code);
  void remoteOnline(const std::string& node, const std::string& cameraId, ConnectionId connection,
                    std::uint64_t epoch);
  void remoteOffline(const std::string& node, const std::string& cameraId, ConnectionId connection);
  // Forgets every proxy of `node` (every node when empty): its cameras go offline here, its
  // viewers' sessions end.
  void dropNode(const std::string& node);
  void resync();
  void scanPresence(const std::string& cursor);
  void publish(const std::string& channel, std::string payload);
  std::shared_ptr<RemoteConnection> proxyLocked(const std::string& node, ConnectionId remoteId,
                                                bool camera, bool create);
  void dropProxyLocked(ConnectionId id);
  bool isProxyLocked(ConnectionId id) const { return proxyIds_.contains(id); }

  HubDependencies deps_;
  SignalingLimits limits_;
  std::string nodeId_;
  std::atomic<ConnectionId> lastConnectionId_{0};

  mutable std::mutex mutex_;
  RoutingTable table_;
  std::unordered_map<ConnectionId, std::weak_ptr<SignalingConnection>> connections_;
  std::unordered_map<ConnectionId, std::string> viewerSessionHashes_;  // guarded by mutex_
  bool shuttingDown_ = false;
  // Stand-ins for connections of other nodes, by "c|node|id" / "v|node|id" (mutex_).
  std::unordered_map<std::string, std::shared_ptr<RemoteConnection>> proxies_;
  std::unordered_map<ConnectionId, std::string> proxyIds_;  // id -> key
  std::size_t cameraProxies_ = 0, viewerProxies_ = 0;
  // Each camera's holder's place in the bus's order: an older announcement never wins.
  std::unordered_map<std::string, std::uint64_t> cameraEpochs_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> nodesHeard_;
  // Each camera's event allowance (a token bucket of eventsPerMinute): mutex_. A camera is
  // held by one node at a time, so a node's own count is the camera's.
  struct EventBucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  std::unordered_map<std::string, EventBucket> eventBuckets_;

  std::atomic<std::uint64_t> camerasConnected_{0};
  std::atomic<std::uint64_t> viewersConnected_{0};
  std::atomic<std::uint64_t> liveSessions_{0};
  std::atomic<std::uint64_t> messagesRelayed_{0};
  RelayTimer relayTimer_;
  std::atomic<std::uint64_t> authFailures_{0};
  std::atomic<std::uint64_t> protocolErrors_{0};
  std::atomic<std::uint64_t> slowPeersDropped_{0};
  std::atomic<std::uint64_t> eventsDropped_{0};
  std::unique_ptr<std::atomic<std::uint64_t>[]> perShard_;  // open WebSockets on each shard
  std::size_t shardCount_ = 1;
};

}  // namespace seccam::server
