// Routing table bookkeeping: every map is kept in step in both directions.
#include "server/signaling/routing_table.hpp"

namespace seccam::server {

RoutingTable::RoutingTable(std::size_t maxSessionsPerViewer)
    : maxSessionsPerViewer_(maxSessionsPerViewer) {}

bool RoutingTable::addViewer(ConnectionId viewer, std::int64_t userId,
                             const std::vector<std::string>& cameras, std::uint64_t asOfVersion) {
  bool forgotten =
      !ownershipChanges_.empty() && ownershipChanges_.front().version > asOfVersion + 1;
  if (asOfVersion > ownershipVersion_ || forgotten) return false;
  std::unordered_set<std::string> owned(cameras.begin(), cameras.end());
  for (const auto& change : ownershipChanges_) {
    if (change.version <= asOfVersion || change.userId != userId) continue;
    if (change.claimed)
      owned.insert(change.cameraId);
    else
      owned.erase(change.cameraId);
  }
  Viewer& v = viewers_[viewer];
  v.userId = userId;
  for (const auto& camera : owned) {
    v.cameras.insert(camera);
    audience_[camera].insert(viewer);
  }
  viewersByUser_[userId].insert(viewer);
  return true;
}

bool RoutingTable::mayWatch(ConnectionId viewer, const std::string& cameraId) const {
  auto it = viewers_.find(viewer);
  return it != viewers_.end() && it->second.cameras.count(cameraId) != 0;
}

void RoutingTable::recordOwnershipChange(std::int64_t userId, const std::string& cameraId,
                                         bool claimed) {
  ownershipChanges_.push_back({++ownershipVersion_, userId, cameraId, claimed});
  if (ownershipChanges_.size() > kOwnershipChangesKept) ownershipChanges_.pop_front();
}

std::vector<EndedSession> RoutingTable::removeViewer(ConnectionId viewer) {
  std::vector<EndedSession> ended;
  auto it = viewers_.find(viewer);
  if (it == viewers_.end()) return ended;
  auto sessions = it->second.sessions;  // endSession edits the original
  for (const auto& session : sessions) ended.push_back(endSession(session));
  for (const auto& camera : it->second.cameras) {
    auto a = audience_.find(camera);
    if (a == audience_.end()) continue;
    a->second.erase(viewer);
    if (a->second.empty()) audience_.erase(a);
  }
  auto u = viewersByUser_.find(it->second.userId);
  if (u != viewersByUser_.end()) {
    u->second.erase(viewer);
    if (u->second.empty()) viewersByUser_.erase(u);
  }
  viewers_.erase(it);
  return ended;
}

CameraAttached RoutingTable::attachCamera(const std::string& cameraId, ConnectionId camera) {
  CameraAttached result;
  auto [it, inserted] = cameras_.try_emplace(cameraId);
  if (!inserted) {
    result.replaced = it->second.connection;
    cameraIdByConnection_.erase(result.replaced);
    auto sessions = it->second.sessions;
    for (const auto& session : sessions) result.endedSessions.push_back(endSession(session));
  } else {
    result.audience = audienceOf(cameraId);
  }
  it->second.connection = camera;
  cameraIdByConnection_[camera] = cameraId;
  return result;
}

CameraDetached RoutingTable::detachCamera(ConnectionId camera) {
  CameraDetached result;
  auto byConnection = cameraIdByConnection_.find(camera);
  if (byConnection == cameraIdByConnection_.end()) return result;
  result.cameraId = byConnection->second;
  cameraIdByConnection_.erase(byConnection);
  auto it = cameras_.find(result.cameraId);
  if (it != cameras_.end()) {
    auto sessions = it->second.sessions;
    for (const auto& session : sessions) result.endedSessions.push_back(endSession(session));
    cameras_.erase(it);
  }
  result.audience = audienceOf(result.cameraId);
  return result;
}

ConnectionId RoutingTable::cameraConnection(const std::string& cameraId) const {
  auto it = cameras_.find(cameraId);
  return it == cameras_.end() ? kNoConnection : it->second.connection;
}

bool RoutingTable::isOnline(const std::string& cameraId) const {
  return cameras_.find(cameraId) != cameras_.end();
}

Route RoutingTable::offer(ConnectionId viewer, const std::string& session,
                          const std::string& cameraId) {
  auto v = viewers_.find(viewer);
  if (v == viewers_.end() || !v->second.cameras.contains(cameraId)) {
    return {RouteError::notFound, kNoConnection};
  }
  if (auto existing = sessions_.find(session); existing != sessions_.end()) {
    // A renegotiation (e.g. ICE restart) within the viewer's own session.
    const Session& s = existing->second;
    if (s.viewer != viewer || s.cameraId != cameraId) return {RouteError::notFound, kNoConnection};
    return {RouteError::none, s.camera};
  }
  auto c = cameras_.find(cameraId);
  if (c == cameras_.end()) return {RouteError::cameraOffline, kNoConnection};
  if (v->second.sessions.size() >= maxSessionsPerViewer_) {
    return {RouteError::tooManySessions, kNoConnection};
  }
  sessions_.emplace(session, Session{viewer, cameraId, c->second.connection});
  v->second.sessions.insert(session);
  c->second.sessions.insert(session);
  return {RouteError::none, c->second.connection};
}

Route RoutingTable::remoteOffer(ConnectionId viewerProxy, const std::string& session,
                                ConnectionId camera) {
  auto byConnection = cameraIdByConnection_.find(camera);
  if (byConnection == cameraIdByConnection_.end()) return {RouteError::cameraOffline, kNoConnection};
  const std::string& cameraId = byConnection->second;
  if (auto existing = sessions_.find(session); existing != sessions_.end()) {
    const Session& s = existing->second;
    if (s.viewer != viewerProxy || s.camera != camera) return {RouteError::notFound, kNoConnection};
    return {RouteError::none, camera};
  }
  auto& v = viewers_[viewerProxy];
  v.sessions.insert(session);
  sessions_.emplace(session, Session{viewerProxy, cameraId, camera});
  cameras_[cameraId].sessions.insert(session);
  return {RouteError::none, camera};
}

std::size_t RoutingTable::sessionCountOf(ConnectionId viewer) const {
  auto it = viewers_.find(viewer);
  return it == viewers_.end() ? 0 : it->second.sessions.size();
}

std::string RoutingTable::cameraIdOf(ConnectionId camera) const {
  auto it = cameraIdByConnection_.find(camera);
  return it == cameraIdByConnection_.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, ConnectionId>> RoutingTable::cameraConnections() const {
  std::vector<std::pair<std::string, ConnectionId>> out;
  out.reserve(cameras_.size());
  for (const auto& [id, camera] : cameras_) out.emplace_back(id, camera.connection);
  return out;
}

Route RoutingTable::fromViewer(ConnectionId viewer, const std::string& session, bool endsSession) {
  return routeWithin(session, viewer, &Session::viewer, &Session::camera, endsSession);
}

Route RoutingTable::fromCamera(ConnectionId camera, const std::string& session, bool endsSession) {
  return routeWithin(session, camera, &Session::camera, &Session::viewer, endsSession);
}

Route RoutingTable::routeWithin(const std::string& session, ConnectionId from,
                                ConnectionId Session::*sender, ConnectionId Session::*receiver,
                                bool endsSession) {
  auto it = sessions_.find(session);
  if (it == sessions_.end() || it->second.*sender != from) {
    return {RouteError::notFound, kNoConnection};
  }
  Route route{RouteError::none, it->second.*receiver};
  if (endsSession) endSession(session);
  return route;
}

CameraClaimed RoutingTable::claim(std::int64_t userId, const std::string& cameraId) {
  recordOwnershipChange(userId, cameraId, true);
  CameraClaimed result;
  result.online = isOnline(cameraId);
  auto u = viewersByUser_.find(userId);
  if (u == viewersByUser_.end()) return result;
  for (ConnectionId viewer : u->second) {
    auto& v = viewers_[viewer];
    if (v.cameras.insert(cameraId).second) {
      audience_[cameraId].insert(viewer);
      result.viewers.push_back(viewer);
    }
  }
  return result;
}

std::vector<EndedSession> RoutingTable::unclaim(std::int64_t userId, const std::string& cameraId) {
  recordOwnershipChange(userId, cameraId, false);
  std::vector<EndedSession> ended;
  auto u = viewersByUser_.find(userId);
  if (u == viewersByUser_.end()) return ended;
  for (ConnectionId viewer : u->second) {
    auto& v = viewers_[viewer];
    v.cameras.erase(cameraId);
    if (auto a = audience_.find(cameraId); a != audience_.end()) {
      a->second.erase(viewer);
      if (a->second.empty()) audience_.erase(a);
    }
    std::vector<std::string> doomed;
    for (const auto& session : v.sessions) {
      if (sessions_.at(session).cameraId == cameraId) doomed.push_back(session);
    }
    for (const auto& session : doomed) ended.push_back(endSession(session));
  }
  return ended;
}

EndedSession RoutingTable::endSession(const std::string& session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return {};
  EndedSession ended{it->second.viewer, it->second.camera, session};
  if (auto v = viewers_.find(ended.viewer); v != viewers_.end()) v->second.sessions.erase(session);
  if (auto c = cameras_.find(it->second.cameraId); c != cameras_.end()) {
    c->second.sessions.erase(session);
  }
  sessions_.erase(it);
  return ended;
}

std::vector<ConnectionId> RoutingTable::audienceOf(const std::string& cameraId) const {
  auto it = audience_.find(cameraId);
  if (it == audience_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace seccam::server
