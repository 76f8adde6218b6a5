// Who may talk to whom: connected cameras, viewer connections and their cameras, and the
// viewing sessions that bind one viewer connection to one camera connection. Plain data with
// no sockets and no locking (the hub holds its mutex around every call); every method
// answers with connection IDs for the hub to deliver to.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace seccam::server {

using ConnectionId = std::uint64_t;
inline constexpr ConnectionId kNoConnection = 0;

// A session that ended: both of its ends, to tell them.
struct EndedSession {
  ConnectionId viewer = kNoConnection;
  ConnectionId camera = kNoConnection;
  std::string session;
};

// unavailable: the other end is on another node that cannot be reached now (docs/BUS.md);
// the table itself never answers it.
enum class RouteError { none, notFound, cameraOffline, tooManySessions, unavailable };

struct Route {
  RouteError error = RouteError::none;
  ConnectionId to = kNoConnection;
};

struct CameraAttached {
  ConnectionId replaced = kNoConnection;    // the older connection of the same camera, if any
  std::vector<EndedSession> endedSessions;  // sessions that lived on the replaced connection
  std::vector<ConnectionId> audience;       // viewers to tell "online" (empty when replacing)
};

struct CameraDetached {
  std::string cameraId;  // empty: not a current camera connection (already replaced)
  std::vector<EndedSession> endedSessions;
  std::vector<ConnectionId> audience;  // viewers to tell "offline"
};

struct CameraClaimed {
  std::vector<ConnectionId> viewers;  // the user's viewer connections that may now watch it
  bool online = false;
};

class RoutingTable {
 public:
  explicit RoutingTable(std::size_t maxSessionsPerViewer);

  // Every claim and unclaim moves the ownership version on. A viewer connection's camera list
  // is read from the store outside the hub's lock: read the version first, and addViewer
  // applies the claims and unclaims that came after it, so an unclaim racing the upgrade
  // can never leave the old owner watching.
  std::uint64_t ownershipVersion() const { return ownershipVersion_; }

  // Viewer connections, with the cameras their user owned as of `asOfVersion`. False (and
  // nothing added) when changes since then are no longer remembered: the caller refuses.
  bool addViewer(ConnectionId viewer, std::int64_t userId, const std::vector<std::string>& cameras,
                 std::uint64_t asOfVersion);
  // Ends and returns the viewer's sessions.
  std::vector<EndedSession> removeViewer(ConnectionId viewer);
  // The viewer connection may watch `cameraId` now.
  bool mayWatch(ConnectionId viewer, const std::string& cameraId) const;

  // An authenticated camera connection; a newer one replaces the older.
  CameraAttached attachCamera(const std::string& cameraId, ConnectionId camera);
  CameraDetached detachCamera(ConnectionId camera);
  ConnectionId cameraConnection(const std::string& cameraId) const;
  bool isOnline(const std::string& cameraId) const;

  // An offer starts a session (or renegotiates the viewer's own session with the same camera).
  // Route::to is the camera connection.
  Route offer(ConnectionId viewer, const std::string& session, const std::string& cameraId);
  // candidate/bye from a viewer: only within its own session. Route::to is the camera.
  Route fromViewer(ConnectionId viewer, const std::string& session, bool endsSession);
  // answer/candidate/bye from a camera: only within a session on that camera connection.
  // Route::to is the viewer.
  Route fromCamera(ConnectionId camera, const std::string& session, bool endsSession);

  // An offer that a viewer on another node sent (that node checked the viewer's ownership
  // against the shared store, docs/BUS.md): `viewerProxy` stands for that viewer here, with
  // no cameras of its own, only sessions. Starts the session on `camera` (a connection of
  // this node), or renegotiates the proxy's own session on it; anything else is refused
  // as offer() would.
  Route remoteOffer(ConnectionId viewerProxy, const std::string& session, ConnectionId camera);
  // The live sessions of a viewer connection (or of a remote viewer's proxy).
  std::size_t sessionCountOf(ConnectionId viewer) const;
  std::string cameraIdOf(ConnectionId camera) const;
  // The viewer connections allowed to watch the camera (its owner's, on this node).
  std::vector<ConnectionId> audienceOf(const std::string& cameraId) const;
  // Every camera with its connection.
  std::vector<std::pair<std::string, ConnectionId>> cameraConnections() const;

  // Ownership changes from the HTTP API.
  CameraClaimed claim(std::int64_t userId, const std::string& cameraId);
  // Removes the camera from the user's viewers and ends their sessions with it.
  std::vector<EndedSession> unclaim(std::int64_t userId, const std::string& cameraId);

  std::size_t cameraCount() const { return cameras_.size(); }
  std::size_t viewerCount() const { return viewers_.size(); }
  std::size_t sessionCount() const { return sessions_.size(); }

 private:
  struct Viewer {
    std::int64_t userId = 0;
    std::unordered_set<std::string> cameras;   // may watch these
    std::unordered_set<std::string> sessions;  // its live sessions
  };
  struct Camera {
    ConnectionId connection = kNoConnection;
    std::unordered_set<std::string> sessions;
  };
  struct Session {
    ConnectionId viewer = kNoConnection;
    std::string cameraId;
    ConnectionId camera = kNoConnection;
  };

  EndedSession endSession(const std::string& session);
  // A session's message goes from one end to the other, and only from its own end.
  Route routeWithin(const std::string& session, ConnectionId from, ConnectionId Session::*sender,
                    ConnectionId Session::*receiver, bool endsSession);

  struct OwnershipChange {
    std::uint64_t version = 0;  // the version this change made
    std::int64_t userId = 0;
    std::string cameraId;
    bool claimed = false;
  };
  void recordOwnershipChange(std::int64_t userId, const std::string& cameraId, bool claimed);
  // Changes remembered for viewers still joining: far more than can happen between reading a
  // camera list and joining (milliseconds).
  static constexpr std::size_t kOwnershipChangesKept = 4096;

  std::size_t maxSessionsPerViewer_;
  std::uint64_t ownershipVersion_ = 0;
  std::deque<OwnershipChange> ownershipChanges_;  // oldest first
  std::unordered_map<ConnectionId, Viewer> viewers_;
  std::unordered_map<std::int64_t, std::unordered_set<ConnectionId>> viewersByUser_;
  // Viewer connections allowed to watch each camera: whom to tell about its status.
  std::unordered_map<std::string, std::unordered_set<ConnectionId>> audience_;
  std::unordered_map<std::string, Camera> cameras_;
  std::unordered_map<ConnectionId, std::string> cameraIdByConnection_;
  std::unordered_map<std::string, Session> sessions_;
};

}  // namespace seccam::server
