// The hub's half that talks to other nodes over the bus (docs/BUS.md): presence of cameras
// (who holds each one, newest wins by epoch), forwarding of session messages to the node of
// the other end, and the API's ownership and sign-out events. A connection of another node
// is a RemoteConnection in this node's routing table, so every refusal is decided by the same
// table code as on one node. Everything here runs on the bus's strand (on shard 0) or under mutex_.
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "server/bus/redis_bus.hpp"
#include "server/signaling/hub_core.hpp"

namespace seccam::server {
namespace {
using nlohmann::json;

constexpr const char* kEvents = "seccam:events";
constexpr const char* kCameraKey = "seccam:camera:";
constexpr const char* kNodeInbox = "seccam:node:";
// Presence keys expire unless refreshed: a node that dies takes its cameras with it.
constexpr std::chrono::milliseconds kPresenceTtl{15000};
constexpr std::chrono::milliseconds kTick{2000};
// A node not heard from for this long is gone: its cameras are offline, its viewers left.
constexpr std::chrono::seconds kNodeTimeout{10};

// Holds the camera for (node, connection) with a fresh epoch (microseconds on Redis's clock,
// strictly increasing), and tells every node, in one atomic step so that every node sees
// the announcements in the order of their epochs. ARGV: node, connection, camera, ttl,
// "new" | "again" ("again": only when nobody else holds it meanwhile; 0 otherwise).
constexpr const char* kAnnounceScript = R"(
local cur = redis.call('GET', KEYS[1])
if ARGV[5] == 'again' and cur then
  local n, c = string.match(cur, '^(%S+) (%S+)')
  if n ~= ARGV[1] or c ~= ARGV[2] then return 0 end
end
local t = redis.call('TIME')
local epoch = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', 'seccam:epoch') or '0')
if epoch <= last then epoch = last + 1 end
redis.call('SET', 'seccam:epoch', epoch)
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. epoch, 'PX', ARGV[4])
redis.call('PUBLISH', 'seccam:events',
  cjson.encode({t = 'online', n = ARGV[1], c = ARGV[2], camera = ARGV[3], e = epoch}))
return epoch
)";

// The connection left: the key goes if it is still this connection's; everyone is told.
constexpr const char* kWithdrawScript = R"(
local cur = redis.call('GET', KEYS[1])
if cur then
  local n, c = string.match(cur, '^(%S+) (%S+)')
  if n == ARGV[1] and c == ARGV[2] then redis.call('DEL', KEYS[1]) end
end
redis.call('PUBLISH', 'seccam:events',
  cjson.encode({t = 'offline', n = ARGV[1], c = ARGV[2], camera = ARGV[3]}))
return 1
)";

// Keeps this node's presence keys alive. KEYS: the keys; ARGV: ttl, node, then each
// key's connection.
constexpr const char* kRefreshScript = R"(
for i, key in ipairs(KEYS) do
  local cur = redis.call('GET', key)
  if cur then
    local n, c = string.match(cur, '^(%S+) (%S+)')
    if n == ARGV[2] and c == ARGV[i + 2] then redis.call('PEXPIRE', key, ARGV[1]) end
  end
end
return 1
)";

// A session's message between nodes, the bus's hot path, is not JSON but a plain envelope:
// "m" and six header fields, one a line (sending node, sending connection, "c" or "v" for
// camera or viewer, receiving connection, session, kind), then the message exactly as the
// sender's connection sent it. Nothing is escaped on the way out or parsed on the way in but
// the header; the message is checked by the receiving node's routing as on one node.
constexpr std::string_view kPlainMessage = "m\n";
constexpr std::size_t kPlainHeaderFields = 6;

std::optional<ConnectionId> parseConnectionId(std::string_view digits) {
  ConnectionId value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

std::optional<ConnectionId> connectionIdOf(const json& j, const char* field) {
  auto it = j.find(field);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return parseConnectionId(it->get_ref<const std::string&>());
}

std::string text(const json& j, const char* field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

void HubCore::attachBus() {
  if (!deps_.bus) return;
  std::weak_ptr<HubCore> weak = weak_from_this();
  deps_.bus->subscribe({kEvents, kNodeInbox + nodeId_},
                       [weak](const std::string& channel, std::string payload) {
                         // What this message causes is timed from here (RelayTimer): this
                         // node's share of a relay across nodes.
                         RelayStamp stamp(RelayStamp::now());
                         if (auto self = weak.lock()) self->onBusMessage(channel, payload);
                       });
  deps_.bus->onStateChange([weak](bool up) {
    if (auto self = weak.lock()) self->onBusState(up);
  });
  deps_.bus->every(kTick, [weak] {
    if (auto self = weak.lock()) self->onBusTick();
  });
  spdlog::info("bus: this node is {} on {}", nodeId_, deps_.bus->describe());
}

void HubCore::publish(const std::string& channel, std::string payload) {
  deps_.bus->command({"PUBLISH", channel, std::move(payload)});
}

void HubCore::announceCamera(const std::string& cameraId, ConnectionId connection,
                             std::function<void(std::uint64_t)> done) {
  if (!deps_.bus || !deps_.bus->connected()) {
    done(0);
    return;
  }
  deps_.bus->command(
      {"EVAL", kAnnounceScript, "1", kCameraKey + cameraId, nodeId_, std::to_string(connection),
       cameraId, std::to_string(kPresenceTtl.count()), "new"},
      [done = std::move(done)](bus::Reply reply) {
        done(reply.type == bus::Reply::Type::integer ? static_cast<std::uint64_t>(reply.integer)
                                                     : 0);
      });
}

void HubCore::withdrawCamera(const std::string& cameraId, ConnectionId connection) {
  if (!deps_.bus) return;
  deps_.bus->command({"EVAL", kWithdrawScript, "1", kCameraKey + cameraId, nodeId_,
                      std::to_string(connection), cameraId});
}

void HubCore::broadcastOwnership(std::int64_t userId, const std::string& cameraId, bool claimed) {
  if (!deps_.bus) return;
  publish(kEvents, json{{"t", claimed ? "claimed" : "unclaimed"},
                        {"n", nodeId_},
                        {"user", userId},
                        {"camera", cameraId}}
                       .dump());
}

void HubCore::broadcastSessionEnded(const std::string& sessionHash) {
  if (!deps_.bus) return;
  publish(kEvents, json{{"t", "signout"}, {"n", nodeId_}, {"session", sessionHash}}.dump());
}

void HubCore::broadcastEvent(const std::string& cameraId, const std::string& message) {
  if (!deps_.bus) return;
  // The owner's pages may be on any node; each node sends it to its own viewers of the camera
  // (its routing table knows who owns what, kept in step by claimed/unclaimed).
  publish(kEvents, json{{"t", "event"}, {"n", nodeId_}, {"camera", cameraId}, {"m", message}}
                       .dump());
}

bool HubCore::forward(const RemoteConnection& to, ConnectionId from, bool fromCamera,
                      const std::string& session, std::string_view kind,
                      const std::string& message) {
  if (!deps_.bus->connected()) return false;
  // The header's fields cannot hold a line break: a session ID is 8-64 letters, digits, '_'
  // and '-' (the protocol layer refuses anything else), a kind one of the protocol's names.
  std::string envelope;
  envelope.reserve(kPlainMessage.size() + nodeId_.size() + session.size() + kind.size() +
                   message.size() + 48);
  envelope.append(kPlainMessage)
      .append(nodeId_)
      .append(1, '\n')
      .append(std::to_string(from))
      .append(fromCamera ? "\nc\n" : "\nv\n")
      .append(std::to_string(to.remoteId))
      .append(1, '\n')
      .append(session)
      .append(1, '\n')
      .append(kind)
      .append(1, '\n')
      .append(message);
  publish(kNodeInbox + to.node, std::move(envelope));
  return true;
}

std::shared_ptr<RemoteConnection> HubCore::proxyLocked(const std::string& node,
                                                       ConnectionId remoteId, bool camera,
                                                       bool create) {
  std::string key = std::string(camera ? "c|" : "v|") + node + "|" + std::to_string(remoteId);
  if (auto it = proxies_.find(key); it != proxies_.end()) return it->second;
  if (!create) return nullptr;
  auto proxy = std::make_shared<RemoteConnection>(nextConnectionId(), node, remoteId, camera);
  proxies_.emplace(key, proxy);
  proxyIds_.emplace(proxy->id(), key);
  connections_.emplace(proxy->id(), proxy);
  if (camera) {
    ++cameraProxies_;
  } else {
    // A viewer of another node: no cameras of its own here, only the sessions it opens.
    table_.addViewer(proxy->id(), 0, {}, table_.ownershipVersion());
    ++viewerProxies_;
  }
  return proxy;
}

void HubCore::dropProxyLocked(ConnectionId id) {
  auto it = proxyIds_.find(id);
  if (it == proxyIds_.end()) return;
  auto proxy = proxies_.find(it->second);
  if (proxy != proxies_.end()) {
    if (proxy->second->camera) {
      --cameraProxies_;
    } else {
      table_.removeViewer(id);  // callers have ended its sessions already
      --viewerProxies_;
    }
    proxies_.erase(proxy);
  }
  connections_.erase(id);
  proxyIds_.erase(it);
}

void HubCore::onBusMessage(const std::string& channel, const std::string& payload) {
  if (std::string_view(payload).starts_with(kPlainMessage)) return onPlainMessage(payload);
  json j = json::parse(payload, nullptr, false);
  if (!j.is_object()) {
    spdlog::warn("bus: unreadable message on {}", channel);
    return;
  }
  std::string type = text(j, "t");
  std::string node = text(j, "n");
  if (node.empty() || node == nodeId_) return;  // our own broadcasts are applied already
  {
    std::lock_guard lock(mutex_);
    nodesHeard_[node] = std::chrono::steady_clock::now();
  }
  if (type == "refused") {
    auto from = connectionIdOf(j, "f");
    if (from) remoteRefusal(node, *from, text(j, "s"), text(j, "code"));
  } else if (type == "online") {
    auto connection = connectionIdOf(j, "c");
    auto epoch = j.value("e", std::uint64_t{0});
    if (connection) remoteOnline(node, text(j, "camera"), *connection, epoch);
  } else if (type == "offline") {
    auto connection = connectionIdOf(j, "c");
    if (connection) remoteOffline(node, text(j, "camera"), *connection);
  } else if (type == "claimed" || type == "unclaimed") {
    auto user = j.value("user", std::int64_t{0});
    auto camera = text(j, "camera");
    if (user == 0 || camera.empty()) return;
    if (type == "claimed")
      cameraClaimed(user, camera);
    else
      cameraUnclaimed(user, camera);
  } else if (type == "reset") {
    dropNode(node);
  } else if (type == "event") {
    auto camera = text(j, "camera");
    auto message = text(j, "m");
    if (!camera.empty() && !message.empty()) sendEventLocally(camera, message);
  } else if (type == "signout") {
    auto session = text(j, "session");
    if (!session.empty()) sessionEnded(session);
  }
  // "alive": hearing it was the point.
}

void HubCore::onPlainMessage(std::string_view payload) {
  std::array<std::string_view, kPlainHeaderFields> fields;
  std::size_t at = kPlainMessage.size();
  for (auto& field : fields) {
    auto end = payload.find('\n', at);
    if (end == std::string_view::npos) {
      spdlog::warn("bus: unreadable message envelope");
      return;
    }
    field = payload.substr(at, end - at);
    at = end + 1;
  }
  auto [node, fromText, role, toText, session, kind] = fields;
  auto from = parseConnectionId(fromText);
  auto to = parseConnectionId(toText);
  if (node.empty() || node == nodeId_ || !from || !to || (role != "c" && role != "v")) return;
  remoteMessage(std::string(node), *from, role == "c", *to, std::string(session),
                std::string(kind), std::string(payload.substr(at)));
}

void HubCore::remoteMessage(const std::string& node, ConnectionId from, bool fromCamera,
                            ConnectionId to, const std::string& session, const std::string& kind,
                            std::string message) {
  Route route;
  ConnectionPtr destination;
  bool refused = false;
  {
    std::lock_guard lock(mutex_);
    nodesHeard_[node] = std::chrono::steady_clock::now();  // under the routing's one lock
    auto proxy = proxyLocked(node, from, fromCamera, /*create=*/!fromCamera && kind == "offer");
    if (!proxy) return;  // a session this node no longer has: nothing to do
    if (fromCamera) {
      route = table_.fromCamera(proxy->id(), session, kind == "bye");
    } else if (kind == "offer") {
      route = table_.remoteOffer(proxy->id(), session, to);
      refused = route.error != RouteError::none;
      if (refused && table_.sessionCountOf(proxy->id()) == 0) dropProxyLocked(proxy->id());
    } else {
      route = table_.fromViewer(proxy->id(), session, kind == "bye");
    }
    destination = find(route.to);
    updateGauges();
  }
  if (refused) {
    // The viewer's node bound the session; it ends it and tells the viewer (same code as
    // on one node).
    publish(kNodeInbox + node,
            json{{"t", "refused"},
                 {"n", nodeId_},
                 {"f", std::to_string(to)},
                 {"s", session},
                 {"code", protocol::wireName(route.error == RouteError::notFound
                                                 ? protocol::ErrorCode::NotFound
                                                 : protocol::ErrorCode::CameraOffline)}}
                .dump());
    return;
  }
  // Anything else that does not fit this node's table is a race with the session's end.
  if (route.error != RouteError::none || !destination || destination->isRemote()) return;
  destination->send(std::move(message));
  messagesRelayed_.fetch_add(1, std::memory_order_relaxed);
}

void HubCore::remoteRefusal(const std::string& node, ConnectionId camera,
                            const std::string& session, const std::string& code) {
  ConnectionPtr viewer;
  {
    std::lock_guard lock(mutex_);
    auto proxy = proxyLocked(node, camera, true, false);
    if (!proxy) return;
    auto route = table_.fromCamera(proxy->id(), session, /*endsSession=*/true);
    if (route.error != RouteError::none) return;
    viewer = find(route.to);
    updateGauges();
  }
  if (!viewer || viewer->isRemote()) return;
  auto errorCode = protocol::errorCodeFromWire(code).value_or(protocol::ErrorCode::NotFound);
  viewer->send(protocol::serialize(protocol::Error{session, errorCode,
                                                   errorCode == protocol::ErrorCode::CameraOffline
                                                       ? "The camera is offline."
                                                       : "No such camera or session."}));
}

void HubCore::remoteOnline(const std::string& node, const std::string& cameraId,
                           ConnectionId connection, std::uint64_t epoch) {
  if (cameraId.empty()) return;
  CameraAttached attached;
  ConnectionPtr replaced;
  std::vector<EndedPair> ended;
  std::vector<ConnectionPtr> audience;
  {
    std::lock_guard lock(mutex_);
    if (auto known = cameraEpochs_.find(cameraId);
        known != cameraEpochs_.end() && known->second >= epoch && table_.isOnline(cameraId)) {
      return;  // an older announcement than the connection this node knows
    }
    auto existing = proxyLocked(node, connection, true, false);
    if (existing && table_.cameraConnection(cameraId) == existing->id()) {
      cameraEpochs_[cameraId] = epoch;  // the same connection announced again
      return;
    }
    auto proxy = proxyLocked(node, connection, true, true);
    attached = table_.attachCamera(cameraId, proxy->id());
    replaced = find(attached.replaced);
    ended = resolve(attached.endedSessions);
    audience = findAll(attached.audience);
    if (isProxyLocked(attached.replaced)) dropProxyLocked(attached.replaced);
    cameraEpochs_[cameraId] = epoch;
    updateGauges();
  }
  if (replaced && !replaced->isRemote()) {
    // Newest wins across nodes: this node's connection is the older one.
    spdlog::info("camera {}: a newer connection on node {} replaces connection {}", cameraId, node,
                 replaced->id());
    replaced->close(protocol::CloseCode::Replaced, "replaced by a newer connection");
  }
  sendByes(ended, protocol::ByeReason::CameraReconnected, /*toViewer=*/true, /*toCamera=*/false);
  sendStatus(audience, cameraId, true);
}

void HubCore::remoteOffline(const std::string& node, const std::string& cameraId,
                            ConnectionId connection) {
  CameraGone gone;
  {
    std::lock_guard lock(mutex_);
    auto proxy = proxyLocked(node, connection, true, false);
    if (!proxy) return;
    gone = detachCamera(proxy->id());
  }
  if (gone.cameraId.empty() || gone.cameraId != cameraId) return;
  announceOffline(gone);
}

void HubCore::dropNode(const std::string& node) {
  std::vector<CameraGone> cameras;
  std::vector<EndedPair> ended;
  {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<RemoteConnection>> doomed;
    for (const auto& [key, proxy] : proxies_) {
      if (node.empty() || proxy->node == node) doomed.push_back(proxy);
    }
    for (const auto& proxy : doomed) {
      if (proxy->camera) {
        cameras.push_back(detachCamera(proxy->id()));
        dropProxyLocked(proxy->id());
      } else {
        auto viewerEnded = resolve(table_.removeViewer(proxy->id()));
        ended.insert(ended.end(), viewerEnded.begin(), viewerEnded.end());
        dropProxyLocked(proxy->id());
      }
    }
    if (!node.empty()) nodesHeard_.erase(node);
    updateGauges();
  }
  for (const auto& gone : cameras) {
    if (!gone.cameraId.empty()) announceOffline(gone);
  }
  sendByes(ended, protocol::ByeReason::ViewerLeft, /*toViewer=*/false, /*toCamera=*/true);
}

void HubCore::onBusState(bool up) {
  if (!up) {
    // This node can no longer see the others: their cameras are offline here and the
    // sessions that crossed nodes are over (offers meanwhile are answered `unavailable`).
    dropNode("");
    return;
  }
  resync();
}

void HubCore::resync() {
  // This node forgot the others' connections while it could not see the bus; they forget
  // this node's (its sessions ended here), then learn its cameras again from what follows.
  publish(kEvents, json{{"t", "reset"}, {"n", nodeId_}}.dump());
  // Our cameras again (Redis may have restarted empty, or another node taken one meanwhile).
  std::vector<std::pair<std::string, ConnectionId>> local;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [camera, connection] : table_.cameraConnections()) {
      if (!isProxyLocked(connection)) local.emplace_back(camera, connection);
    }
  }
  std::weak_ptr<HubCore> weak = weak_from_this();
  for (const auto& [camera, connection] : local) {
    deps_.bus->command(
        {"EVAL", kAnnounceScript, "1", kCameraKey + camera, nodeId_, std::to_string(connection),
         camera, std::to_string(kPresenceTtl.count()), "again"},
        [weak, camera, connection](bus::Reply reply) {
          auto self = weak.lock();
          if (!self || reply.type != bus::Reply::Type::integer) return;
          ConnectionPtr older;
          {
            std::lock_guard lock(self->mutex_);
            if (self->table_.cameraConnection(camera) != connection) return;
            if (reply.integer > 0) {
              self->cameraEpochs_[camera] = static_cast<std::uint64_t>(reply.integer);
              return;
            }
            older = self->find(connection);
          }
          // Another node took the camera while we could not see it: ours is the older one.
          if (older) older->close(protocol::CloseCode::Replaced, "replaced by a newer connection");
        });
  }
  scanPresence("0");
}

void HubCore::scanPresence(const std::string& cursor) {
  std::weak_ptr<HubCore> weak = weak_from_this();
  deps_.bus->command(
      {"SCAN", cursor, "MATCH", std::string(kCameraKey) + "*", "COUNT", "500"},
      [weak](bus::Reply reply) {
        auto self = weak.lock();
        if (!self || reply.type != bus::Reply::Type::array || reply.elements.size() != 2) return;
        std::string next = reply.elements[0].text;
        std::vector<std::string> keys;
        for (const auto& k : reply.elements[1].elements) keys.push_back(k.text);
        if (!keys.empty()) {
          std::vector<std::string> mget{"MGET"};
          mget.insert(mget.end(), keys.begin(), keys.end());
          self->deps_.bus->command(std::move(mget), [weak, keys](bus::Reply values) {
            auto self = weak.lock();
            if (!self || values.type != bus::Reply::Type::array) return;
            for (std::size_t i = 0; i < keys.size() && i < values.elements.size(); ++i) {
              if (values.elements[i].type != bus::Reply::Type::text) continue;
              std::istringstream fields(values.elements[i].text);
              std::string node;
              ConnectionId connection = 0;
              std::uint64_t epoch = 0;
              if (!(fields >> node >> connection >> epoch) || node == self->nodeId_) continue;
              {
                std::lock_guard lock(self->mutex_);
                self->nodesHeard_.try_emplace(node, std::chrono::steady_clock::now());
              }
              self->remoteOnline(node, keys[i].substr(std::string_view(kCameraKey).size()),
                                 connection, epoch);
            }
          });
        }
        if (next != "0") self->scanPresence(next);
      });
}

void HubCore::onBusTick() {
  if (!deps_.bus->connected()) return;
  publish(kEvents, json{{"t", "alive"}, {"n", nodeId_}}.dump());
  std::vector<std::string> silent;
  std::vector<std::string> refresh{"EVAL", kRefreshScript};
  std::vector<std::string> connections;
  {
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    for (const auto& [node, heard] : nodesHeard_) {
      if (now - heard > kNodeTimeout) silent.push_back(node);
    }
    // Viewers of other nodes whose sessions here have all ended.
    std::vector<ConnectionId> idle;
    for (const auto& [key, proxy] : proxies_) {
      if (!proxy->camera && table_.sessionCountOf(proxy->id()) == 0) idle.push_back(proxy->id());
    }
    for (auto id : idle) dropProxyLocked(id);
    std::vector<std::string> keys;
    for (const auto& [camera, connection] : table_.cameraConnections()) {
      if (isProxyLocked(connection)) continue;
      keys.push_back(kCameraKey + camera);
      connections.push_back(std::to_string(connection));
    }
    refresh.push_back(std::to_string(keys.size()));
    refresh.insert(refresh.end(), keys.begin(), keys.end());
    updateGauges();
  }
  for (const auto& node : silent) {
    spdlog::warn("bus: node {} has not been heard from for {} s: its cameras are offline here",
                 node, kNodeTimeout.count());
    dropNode(node);
  }
  if (connections.empty()) return;
  refresh.push_back(std::to_string(kPresenceTtl.count()));
  refresh.push_back(nodeId_);
  refresh.insert(refresh.end(), connections.begin(), connections.end());
  deps_.bus->command(std::move(refresh));
}

}  // namespace seccam::server
