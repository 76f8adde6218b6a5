// seccam-server's effective configuration, read once from the layered Settings (TOML file <
// SECCAM_* environment variables < command-line flags) into one typed struct.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/settings.hpp"
#include "server/config/signaling_limits.hpp"
#include "server/push/push_settings.hpp"
#include "server/turn/turn_credentials.hpp"

namespace seccam::server {

inline constexpr const char* kEnvPrefix = "SECCAM_";
inline constexpr const char* kDefaultListen = "127.0.0.1:8080";
inline constexpr const char* kDefaultDataDir = "./data";
inline constexpr long long kDefaultTurnTtlSeconds = 86400;
// `seccam-server camera revoke` is another process that changes the database only: this
// often the server looks for revoked cameras that are still connected and disconnects them.
inline constexpr std::chrono::seconds kDefaultRevocationSweepInterval{5};
// Connections from one client address (browsers keep about six each, a camera one): a
// household or an office behind one NAT fits, an address opening hundreds of idle sockets
// does not. 0 turns the per-address cap off.
inline constexpr long long kDefaultMaxConnectionsPerAddress = 256;
// Sign-ins waiting for a hashing thread: at ~25 ms a hash on two threads, 64 drain in under
// a second; more waiting would only make every one of them time out in the browser.
inline constexpr long long kDefaultHashQueue = 64;
// Sessions per account: every browser and phone of a household, with room to spare.
inline constexpr long long kDefaultMaxSessionsPerAccount = 20;

// PostgreSQL connections per node: the database workers (2 to 8 threads) share them; a few
// cover the usual load, and a cluster of nodes multiplies them.
inline constexpr int kDefaultStorePoolSize = 4;
inline constexpr int kMaxStorePoolSize = 64;

struct ServerConfig {
  std::string listenHost = "127.0.0.1";
  unsigned short listenPort = 8080;
  std::filesystem::path dataDir = kDefaultDataDir;
  std::string publicUrl;  // e.g. https://cams.example.org behind a reverse proxy; may be empty
  // Host names the server answers besides IP literals, localhost and public-url's host (DNS
  // rebinding: other names are refused with 421).
  std::vector<std::string> allowedHosts;
  std::filesystem::path webRoot;  // resolved at load time
  std::string logLevel = "info";
  int ioThreads = 1;
  // Reverse proxies whose X-Forwarded-For is believed (canonical addresses); empty: none.
  std::vector<std::string> trustedProxies;
  // GET /metrics with `Authorization: Bearer <token>` from anywhere; empty: loopback clients
  // only (the client as trusted-proxies resolve it, so a proxy does not open it to the world).
  std::string metricsToken;
  std::filesystem::path tlsCert;  // both set: serve HTTPS/WSS
  std::filesystem::path tlsKey;
  turn::TurnSettings turn;
  std::filesystem::path masterKeyFile;  // default: DATA/master.key
  // [signaling]: the hub's limits; the ping interval and camera auth timeout are settings.
  SignalingLimits signaling;
  std::chrono::seconds revocationSweepInterval = kDefaultRevocationSweepInterval;
  // Open connections in total (0: as many as the open-file limit leaves room for) and per
  // client address (0: no cap); past either, a request is answered 503 and closed.
  long long maxConnections = 0;
  long long maxConnectionsPerAddress = kDefaultMaxConnectionsPerAddress;
  // [auth]: threads that run Argon2id (sign-in, sign-up) at a lower priority, and how many
  // such requests may wait for one; past that they are answered 503 `overloaded`.
  int hashWorkers = 2;
  long long hashQueue = kDefaultHashQueue;
  // [auth] max-sessions: sessions an account may have at once; a sign-in past it ends the
  // oldest (its WebSockets are closed). 0: no cap.
  long long maxSessionsPerAccount = kDefaultMaxSessionsPerAccount;
  // [push]: Web Push (VAPID contact, the push services' hosts, senders, TTL) and the VAPID
  // key file (default DATA/vapid.pem, created 0600 at first start).
  push::PushSettings push;
  std::filesystem::path vapidKeyFile;
  // [store] url: "postgresql://…" (or "postgres://…") to keep accounts and cameras in
  // PostgreSQL, shared by several nodes; empty: the SQLite file in the data folder.
  // [store] pool-size: connections one node keeps open to PostgreSQL at most.
  std::string storeUrl;
  int storePoolSize = kDefaultStorePoolSize;
  // [bus] url: "redis://[[USER]:PASSWORD@]HOST[:PORT]" shared by every node of a deployment (docs/BUS.md); empty:
  // this node is alone and talks to no Redis.
  std::string busUrl;
  // [events]: retention of the cameras' motion events (metadata only): deleted past this
  // age, and past this many per camera (oldest first), by a sweep every few minutes.
  long long eventMaxAgeDays = 30;
  long long eventsPerCamera = 10000;

  bool tlsEnabled() const { return !tlsCert.empty(); }
  std::filesystem::path databasePath() const { return dataDir / "seccam.db"; }
};

// Reads every key (see the configuration reference in --help). Throws ConfigError with a
// message naming the key when a value is malformed.
ServerConfig loadServerConfig(const Settings& settings);

// The web/ folder when none is configured: next to the working directory, or in an
// ancestor of the binary's folder (a build tree inside the repository); empty if none.
std::filesystem::path findDefaultWebRoot();

// The camera WebSocket URL that provisioning writes: from public-url when set (http->ws,
// https->wss), otherwise from the listen address (wss under TLS).
std::string cameraWebSocketUrl(const ServerConfig& config);

}  // namespace seccam::server
