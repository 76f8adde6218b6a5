// The signaling hub: who is connected (cameras by ID, viewers by connection), the viewing
// sessions binding one viewer connection to one camera, and the routing of
// offer/answer/candidate/bye between them (PROTOCOL.md, both WebSocket endpoints).
//
// The HTTP layer authenticates a viewer (cookie, Origin) before it hands the upgrade request
// over; the hub authenticates cameras itself (HMAC challenge). Everything that blocks (the
// store) reaches the hub through HubDependencies, which run it off the IO threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/protocol.hpp"
#include "server/config/signaling_limits.hpp"
#include "server/metrics/hub_stats.hpp"
#include "server/net/connection_limiter.hpp"
#include "server/net/http_request.hpp"
#include "server/net/streams.hpp"

namespace seccam::server::bus {
class RedisBus;
}

namespace seccam::server {

class IoShards;

struct HubDependencies {
  // 32-byte fleet master key: device key K = HMAC-SHA256(master key, camera ID).
  std::vector<std::uint8_t> masterKey;
  // Whether a camera ID is provisioned and not revoked. Runs off the IO threads; `done` may
  // be called on any thread.
  std::function<void(std::string cameraId, std::function<void(bool known)> done)> lookupCamera;
  // Records that a camera was seen now (connected, disconnected). Fire and forget.
  std::function<void(std::string cameraId)> cameraSeen;
  // Fresh TURN/STUN entries for `subject` (a username or a camera ID). Cheap, non-blocking.
  std::function<std::vector<protocol::IceServer>(const std::string& subject)> iceServers;
  // Stores a camera's motion event under the camera's owner (off the IO threads). `done` (on
  // any thread): whether it was stored, and whether it is new (the first report of this ID);
  // nothing is stored for an unclaimed camera or when the store fails.
  std::function<void(std::string cameraId, protocol::CameraEvent event,
                     std::function<void(bool stored, bool added)> done)>
      recordEvent;
  // Tells the owner's browsers by Web Push that something happened at the camera (`when`:
  // seconds since the epoch). Returns at once.
  std::function<void(const std::string& cameraId, std::int64_t when)> notifyOwner;
  // The bus of a deployment of several nodes (docs/BUS.md); null: this node is alone and the
  // hub makes no bus calls at all. Subscribed by the hub; started by the caller afterwards.
  bus::RedisBus* bus = nullptr;
  // The server's IO shards (docs/IO-SHARDS.md): a plain WebSocket whose upgrade names a
  // camera (`?camera=`) moves to that camera's shard. Null: connections stay where accepted.
  IoShards* shards = nullptr;
};

// What the HTTP layer knows about a signed-in viewer when it hands the upgrade over.
struct ViewerIdentity {
  std::int64_t userId = 0;
  std::string username;
  // SHA-256 of the session token the connection was opened with: when that session ends
  // (sign-out, expiry), the connection is closed.
  std::string sessionHash;
  // The hub's ownership version read before `cameras` was (Hub::ownershipVersion): claims
  // and unclaims after it are applied when the connection joins.
  std::uint64_t ownershipVersion = 0;
  // The cameras the user has claimed (online is filled in by the hub).
  std::vector<protocol::CameraInfo> cameras;
};

class Hub {
 public:
  Hub(HubDependencies deps, SignalingLimits limits);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Take over an HTTP connection whose upgrade request has been read (and, for viewers,
  // authenticated and Origin-checked). The hub completes the WebSocket handshake. The
  // stream's executor must belong to a boost::asio::io_context run by one thread (a shard);
  // the connection's handlers then all run on that thread (or on its camera's shard, see
  // HubDependencies::shards).
  // `slot` is the connection's place under the connection caps, kept while it is open.
  void acceptViewer(PlainStream stream, HttpRequest request, ViewerIdentity viewer,
                    ConnectionLimiter::Slot slot = {});
  void acceptViewer(TlsStream stream, HttpRequest request, ViewerIdentity viewer,
                    ConnectionLimiter::Slot slot = {});
  void acceptCamera(PlainStream stream, HttpRequest request, ConnectionLimiter::Slot slot = {});
  void acceptCamera(TlsStream stream, HttpRequest request, ConnectionLimiter::Slot slot = {});

  bool isOnline(const std::string& cameraId) const;

  // Keep the hub in step with the API: a newly claimed camera becomes watchable (and its
  // status is pushed) on the user's open connections; an unclaimed one ends its live
  // sessions (bye to both sides) and is no longer watchable; a revoked camera is disconnected.
  void cameraClaimed(std::int64_t userId, const std::string& cameraId);
  void cameraUnclaimed(std::int64_t userId, const std::string& cameraId);
  void cameraRevoked(const std::string& cameraId);

  // The sessions that open viewer connections were opened with (for the session sweep), and
  // the end of one: its connections are closed with 4401.
  std::vector<std::string> viewerSessions() const;
  std::uint64_t ownershipVersion() const;
  void sessionEnded(const std::string& sessionHash);

  HubStats stats() const;
  // This node's name on the bus (random per start; empty without a bus).
  std::string nodeId() const;

  // Closes every connection (going away) for a clean shutdown.
  void shutdown();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace seccam::server
