// The hub's shared state: the routing table and the live connections under one mutex, the
// counters, and the delivery of routed messages. Connections are looked up under the lock
// and sent to outside it (each send goes to that connection's strand).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/protocol.hpp"
#include "server/signaling/hub.hpp"
#include "server/signaling/routing_table.hpp"
#include "server/signaling/signaling_connection.hpp"

namespace seccam::server {

class HubCore {
 public:
  HubCore(HubDependencies deps, SignalingLimits limits);

  const HubDependencies& deps() const { return deps_; }
  const SignalingLimits& limits() const { return limits_; }

  ConnectionId nextConnectionId() { return ++lastConnectionId_; }
  // false after shutdown(): the connection must not start.
  bool track(const std::shared_ptr<SignalingConnection>& connection);
  void forget(ConnectionId id);

  // A viewer connection opened: returns its hello (to be sent first).
  // Nothing when the identity's camera list is too old to bring up to date (see RoutingTable).
  std::optional<protocol::Hello> viewerJoined(ConnectionId viewer, const ViewerIdentity& identity);
  std::uint64_t ownershipVersion() const;
  void viewerLeft(ConnectionId viewer);
  void fromViewer(SignalingConnection& viewer, protocol::ViewerToServer&& message);

  // A camera connection authenticated: sends welcome, replaces an older connection.
  void cameraJoined(SignalingConnection& camera, const std::string& cameraId);
  void cameraLeft(ConnectionId camera);
  void fromCamera(SignalingConnection& camera, protocol::CameraToServer&& message);

  bool isOnline(const std::string& cameraId) const;
  void cameraClaimed(std::int64_t userId, const std::string& cameraId);
  void cameraUnclaimed(std::int64_t userId, const std::string& cameraId);
  void cameraRevoked(const std::string& cameraId);
  std::vector<std::string> viewerSessions() const;
  void sessionEnded(const std::string& sessionHash);
  void shutdown();

  void countAuthFailure() { authFailures_.fetch_add(1, std::memory_order_relaxed); }
  void countProtocolError() { protocolErrors_.fetch_add(1, std::memory_order_relaxed); }
  void countSlowPeerDropped() { slowPeersDropped_.fetch_add(1, std::memory_order_relaxed); }
  HubStats stats() const;

 private:
  using ConnectionPtr = std::shared_ptr<SignalingConnection>;
  struct EndedPair {
    ConnectionPtr viewer;
    ConnectionPtr camera;
    std::string session;
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
  };
  CameraGone detachCamera(ConnectionId camera);  // mutex held
  // bye camera_offline to its viewers, status offline to its audience, last seen now.
  void announceOffline(const CameraGone& gone);

  static void sendByes(const std::vector<EndedPair>& ended, protocol::ByeReason reason,
                       bool toViewer, bool toCamera);
  static void sendStatus(const std::vector<ConnectionPtr>& viewers, const std::string& cameraId,
                         bool online);
  // Relays an answer, candidate or bye to the other end of its session (a bye ends it), or
  // refuses it when it is not the sender's own session.
  using RouteFrom = Route (RoutingTable::*)(ConnectionId, const std::string&, bool);
  template <class Message>
  void relayInSession(SignalingConnection& from, const Message& message, RouteFrom routeFrom);
  // Answers a refused route; refusals that point at a confused or probing client are
  // logged and counted (an offline camera is neither).
  void refuse(SignalingConnection& to, std::string_view what, const std::string& session,
              RouteError error);

  HubDependencies deps_;
  SignalingLimits limits_;
  std::atomic<ConnectionId> lastConnectionId_{0};

  mutable std::mutex mutex_;
  RoutingTable table_;
  std::unordered_map<ConnectionId, std::weak_ptr<SignalingConnection>> connections_;
  std::unordered_map<ConnectionId, std::string> viewerSessionHashes_;  // guarded by mutex_
  bool shuttingDown_ = false;

  std::atomic<std::uint64_t> camerasConnected_{0};
  std::atomic<std::uint64_t> viewersConnected_{0};
  std::atomic<std::uint64_t> liveSessions_{0};
  std::atomic<std::uint64_t> messagesRelayed_{0};
  std::atomic<std::uint64_t> authFailures_{0};
  std::atomic<std::uint64_t> protocolErrors_{0};
  std::atomic<std::uint64_t> slowPeersDropped_{0};
};

}  // namespace seccam::server
