#include "server/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <thread>

#include "server/api/api.hpp"
#include "server/bus/redis_bus.hpp"
#include "server/bus/shared_failure_window.hpp"
#include "server/config/master_key.hpp"
#include "server/http/http_context.hpp"
#include "server/http/listener.hpp"
#include "server/net/io_shards.hpp"
#include "server/push/notifier.hpp"
#include "server/signaling/hub.hpp"
#include "server/store/open_store.hpp"
#include "server/worker_pool.hpp"

namespace seccam::server {
namespace {
namespace net = boost::asio;

// Database work: enough threads that a slow query leaves room for the others.
constexpr int kMinWorkers = 2;
constexpr int kMaxWorkers = 8;
// Lets close frames to WebSocket peers go out before the IO threads stop.
constexpr std::chrono::milliseconds kShutdownGrace{200};
// How often event retention runs ([events] max-age-days, max-per-camera).
constexpr std::chrono::minutes kEventSweepInterval{5};

std::unique_ptr<net::ssl::context> makeTlsContext(const ServerConfig& config) {
  auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  tls->use_certificate_chain_file(config.tlsCert.string());
  tls->use_private_key_file(config.tlsKey.string(), net::ssl::context::pem);
  return tls;
}

// Connections past a cap still get an answer (503, or /healthz) from this many reserve
// slots, at most kReservePerAddress of them for one address, so that one address cannot
// hold them all; past the reserve a connection is closed unread.
constexpr std::size_t kConnectionReserve = 32;
constexpr std::size_t kReservePerAddress = 4;
// Descriptors kept for what is not a connection: the database, its WAL, static files, logs.
constexpr std::size_t kDescriptorHeadroom = 64;

// Every connection is a descriptor: take the whole hard limit the system allows rather than
// the (often 1024) soft default, and say what it is.
std::size_t raiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  spdlog::debug("open-file limit: {}", static_cast<unsigned long long>(limit.rlim_cur));
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20
                                          : static_cast<std::size_t>(limit.rlim_cur);
}

// The connection caps: the configured total, but never more than the descriptors allow
// (a total past them would let idle sockets starve the database of descriptors again).
ConnectionLimiter::Limits connectionLimits(const ServerConfig& config, std::size_t fileLimit) {
  auto room = fileLimit > kDescriptorHeadroom + kConnectionReserve + 16
                  ? fileLimit - kDescriptorHeadroom - kConnectionReserve
                  : std::size_t{16};
  auto total = config.maxConnections > 0
                   ? std::min(room, static_cast<std::size_t>(config.maxConnections))
                   : room;
  if (config.maxConnections > 0 && static_cast<std::size_t>(config.maxConnections) > room) {
    spdlog::warn("max-connections {} is more than the open-file limit allows; using {}",
                 config.maxConnections, room);
  }
  return {total, static_cast<std::size_t>(config.maxConnectionsPerAddress), kConnectionReserve,
          kReservePerAddress};
}
}  // namespace

int runServer(const ServerConfig& config) {
  auto fileLimit = raiseDescriptorLimit();
  ConnectionLimiter connections(connectionLimits(config, fileLimit));
  // Created first, destroyed last: everything below may hold handles bound to them. One
  // io_context per IO thread (docs/IO-SHARDS.md); shard 0 runs the listener, the timers and
  // the bus.
  IoShards shards(config.ioThreads);
  auto& io = shards.main();
  if (makePrivateDirectory(config.dataDir)) {
    spdlog::warn("data folder {} was readable by others: made private (0700)",
                 config.dataDir.string());
  }
  auto masterKey = loadOrCreateMasterKey(config.masterKeyFile);
  ensurePrivateDirectory(config.vapidKeyFile.parent_path());  // when kept outside the data folder
  auto vapidKey = push::VapidKey::loadOrCreate(config.vapidKeyFile);
  auto store = store::openStore(config.storeUrl, static_cast<std::size_t>(config.storePoolSize),
                                config.databasePath().string());
  store->deleteExpiredSessions(api::unixNow());

  // Database work at normal priority (never idle-class: under CPU load a sign-up's inserts
  // would wait for the machine to go idle); Argon2id in a pool of its own with a lower
  // priority and a bounded queue, so a sign-in storm gets a bounded share of the CPU and
  // the excess is answered 503 at once instead of piling up.
  int workerThreads = std::clamp(config.ioThreads, kMinWorkers, kMaxWorkers);
  WorkerPool workers({workerThreads, "seccam-db", WorkerPriority::normal, 0});
  WorkerPool hashWorkers({config.hashWorkers, "seccam-hash", WorkerPriority::background,
                          static_cast<std::size_t>(config.hashQueue)});
  Metrics metrics;

  // [bus] url: several nodes share one deployment through Redis (docs/BUS.md). Declared
  // before the hub and the API, which hold it, so that it outlives them.
  std::unique_ptr<bus::RedisBus> redis;
  if (!config.busUrl.empty()) {
    auto address = bus::parseRedisUrl(config.busUrl);
    if (!address) {
      throw ConfigError("'bus.url' must be redis://[[USER]:PASSWORD@]HOST[:PORT], not '" +
                        bus::redactRedisUrl(config.busUrl) + "'");
    }
    redis = std::make_unique<bus::RedisBus>(io, *address);
  }

  store::Store* db = store.get();
  // Web Push: its own threads (built before the hub, which calls it on a camera's event) (push requests wait on the network), reading the store there.
  if (config.push.contact.empty()) {
    spdlog::warn("no [push] contact set: push services (Apple's) may refuse notifications");
  }
  push::NotifierHooks pushHooks;
  pushHooks.targetsOf = [db](const std::string& cameraId) {
    auto record = db->pushTargetsFor(cameraId);
    push::PushTargets targets;
    targets.cameraName = record.cameraName;
    for (auto& s : record.subscriptions) {
      targets.subscriptions.push_back({std::move(s.endpoint), std::move(s.p256dh), std::move(s.auth)});
    }
    return targets;
  };
  pushHooks.subscriptionGone = [db](const std::string& endpoint) {
    db->deletePushSubscriptionByEndpoint(endpoint);
  };
  push::PushNotifier notifier(config.push, vapidKey, std::move(pushHooks));

  HubDependencies hubDeps;
  hubDeps.masterKey = masterKey;
  hubDeps.shards = &shards;
  hubDeps.lookupCamera = [db, &workers](std::string cameraId, std::function<void(bool)> done) {
    workers.post([db, cameraId = std::move(cameraId), done = std::move(done)] {
      bool known = false;
      try {
        auto camera = db->findCamera(cameraId);
        known = camera && !camera->revoked;
      } catch (const std::exception& e) {
        spdlog::error("camera lookup failed: {}", e.what());
      }
      done(known);
    });
  };
  hubDeps.cameraSeen = [db, &workers](std::string cameraId) {
    workers.post(
        [db, cameraId = std::move(cameraId)] { db->recordCameraSeen(cameraId, api::unixNow()); });
  };
  hubDeps.recordEvent = [db, &workers](std::string cameraId, protocol::CameraEvent event,
                                       std::function<void(bool, bool)> done) {
    workers.post([db, cameraId = std::move(cameraId), event = std::move(event),
                  done = std::move(done)] {
      store::EventRecord record;
      record.cameraId = cameraId;
      record.eventId = event.id;
      record.kind = event.kind;
      record.startMs = event.start;
      record.endMs = event.end;
      if (event.end) record.durationMs = *event.end - event.start;
      record.score = event.score;
      record.receivedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      auto outcome = store::EventSaveOutcome::noOwner;
      try {
        outcome = db->saveEvent(record);
      } catch (const std::exception& e) {
        spdlog::error("camera {}: event {} not stored: {}", cameraId, event.id, e.what());
      }
      done(outcome != store::EventSaveOutcome::noOwner, outcome == store::EventSaveOutcome::added);
    });
  };
  hubDeps.notifyOwner = [&notifier](const std::string& cameraId, std::int64_t when) {
    if (!notifier.notifyOwner(cameraId, when)) {
      spdlog::warn("camera {}: push queue full, no notification for this event", cameraId);
    }
  };
  auto turnSettings = config.turn;
  hubDeps.iceServers = [turnSettings](const std::string& subject) {
    return turn::iceServersFor(turnSettings, subject);
  };
  hubDeps.bus = redis.get();
  Hub hub(std::move(hubDeps), config.signaling);


  api::ApiDependencies apiDeps;
  apiDeps.store = db;
  apiDeps.masterKey = masterKey;
  apiDeps.turn = config.turn;
  apiDeps.publicUrl = config.publicUrl;
  apiDeps.metrics = &metrics;
  apiDeps.live.isOnline = [&hub](const std::string& id) { return hub.isOnline(id); };
  apiDeps.live.cameraClaimed = [&hub](store::UserId user, const std::string& id) {
    hub.cameraClaimed(user, id);
  };
  apiDeps.live.cameraUnclaimed = [&hub](store::UserId user, const std::string& id) {
    hub.cameraUnclaimed(user, id);
  };
  apiDeps.live.sessionEnded = [&hub](const std::string& sessionHash) {
    hub.sessionEnded(sessionHash);
  };
  apiDeps.maxSessionsPerAccount = static_cast<std::size_t>(config.maxSessionsPerAccount);
  apiDeps.push = config.push;
  apiDeps.vapidPublicKey = vapidKey.publicKeyBase64Url();
  // notifyOwner(cameraId, when): the one call for "something happened at this camera" (the
  // camera's event message is to call it too).
  apiDeps.notifyOwner = [&notifier](const std::string& cameraId, store::UnixTime when) {
    return notifier.notifyOwner(cameraId, when);
  };
  if (redis) {
    apiDeps.failureWindows = [bus = redis.get()](const std::string& scope) {
      return bus::sharedFailureWindows(*bus, scope);
    };
  }
  api::Api api(std::move(apiDeps));

  auto context = std::make_shared<http::HttpContext>();
  context->api = &api;
  context->workers = &workers;
  context->hashWorkers = &hashWorkers;
  context->metrics = &metrics;
  context->hub = &hub;
  context->connections = &connections;
  context->webRoot = config.webRoot;
  context->publicUrl = config.publicUrl;
  context->trustedProxies = config.trustedProxies;
  context->metricsToken = config.metricsToken;
  context->tls = config.tlsEnabled();
  auto hostNames = config.allowedHosts;
  if (!config.publicUrl.empty()) hostNames.push_back(http::hostOfUrl(config.publicUrl));
  context->hosts = http::HostPolicy(hostNames);
  context->hubStats = [&hub] { return hub.stats(); };
  context->unhealthy = [bus = redis.get()]() -> std::string {
    return bus && !bus->connected() ? "bus_unreachable" : "";
  };

  std::unique_ptr<net::ssl::context> tls;
  if (config.tlsEnabled()) tls = makeTlsContext(config);

  boost::system::error_code badAddress;
  auto address = net::ip::make_address(
      config.listenHost == "localhost" ? "127.0.0.1" : config.listenHost, badAddress);
  if (badAddress) {
    throw ConfigError("'listen' needs an IP address (or localhost), not '" + config.listenHost +
                      "'");
  }
  auto listener = std::make_shared<http::Listener>(
      shards, net::ip::tcp::endpoint(address, config.listenPort), context, tls.get());
  listener->run();
  if (redis) redis->start();

  net::steady_timer revocationTimer(io);
  std::function<void()> sweepRevokedCameras = [&] {
    revocationTimer.expires_after(config.revocationSweepInterval);
    revocationTimer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      workers.post([db, &hub] {
        for (const auto& camera : db->listCameras()) {
          if (camera.revoked && hub.isOnline(camera.id)) {
            spdlog::info("camera {}: revoked, disconnecting it", camera.id);
            hub.cameraRevoked(camera.id);
          }
        }
        // Sign-out, expiry or any other end of a session ends the sockets opened with it.
        for (const auto& session : hub.viewerSessions()) {
          if (!db->userForSession(session, api::unixNow())) hub.sessionEnded(session);
        }
      });
      sweepRevokedCameras();
    });
  };
  sweepRevokedCameras();

  // Event retention ([events]): by age and per camera, every few minutes (a camera's events
  // are rate-limited, so the cap is never far exceeded in between).
  net::steady_timer eventSweepTimer(io);
  std::function<void()> sweepEvents = [&] {
    eventSweepTimer.expires_after(kEventSweepInterval);
    eventSweepTimer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      workers.post([db, &config] {
        try {
          auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
          auto removed = db->sweepEvents(now - config.eventMaxAgeDays * 86'400'000LL,
                                         static_cast<std::size_t>(config.eventsPerCamera));
          if (removed > 0) spdlog::info("events: {} past retention deleted", removed);
        } catch (const std::exception& e) {
          spdlog::warn("events: retention sweep failed: {}", e.what());
        }
      });
      sweepEvents();
    });
  };
  sweepEvents();

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer graceTimer(io);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received, shutting down", signal);
    revocationTimer.cancel();
    eventSweepTimer.cancel();
    listener->stop();
    hub.shutdown();
    if (redis) redis->stop();
    graceTimer.expires_after(kShutdownGrace);
    graceTimer.async_wait([&shards](boost::system::error_code) { shards.stop(); });
  });

  std::error_code fsError;
  if (config.webRoot.empty()) {
    spdlog::warn("no web/ folder found; set web-root to serve the web app");
  } else if (!std::filesystem::is_directory(config.webRoot, fsError)) {
    spdlog::warn("web-root {} is not a folder; static files will be 404", config.webRoot.string());
  }
  spdlog::info(
      "seccam-server listening on {}://{}:{} ({} IO threads, {} database workers, {} hashing "
      "workers, web root {})",
      config.tlsEnabled() ? "https" : "http", config.listenHost, listener->localEndpoint().port(),
      config.ioThreads, workerThreads, config.hashWorkers,
      config.webRoot.empty() ? "none" : config.webRoot.string());
  spdlog::info("connection caps: {} in total, {} per address", connections.limits().total,
               connections.limits().perAddress == 0
                   ? std::string("no cap")
                   : std::to_string(connections.limits().perAddress));

  shards.run();
  // Queued store work (last-seen updates) finishes before the store closes.
  hashWorkers.join();
  workers.join();
  spdlog::info("seccam-server stopped");
  return 0;
}

}  // namespace seccam::server
