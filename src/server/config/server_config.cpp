#include "server/config/server_config.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <thread>

#include "server/net/ip_address.hpp"

namespace seccam::server {
namespace {
namespace fs = std::filesystem;

constexpr long long kMaxIoThreads = 256;
constexpr long long kMaxTurnTtlSeconds = 7 * 24 * 3600;
constexpr long long kMaxPort = 65535;
// Upper bounds for the [signaling] timers: past these a value is a mistake, not a choice.
constexpr long long kMaxPingIntervalSeconds = 3600;
constexpr long long kMaxCameraAuthTimeoutSeconds = 300;
constexpr long long kMaxRevocationSweepSeconds = 3600;
constexpr long long kMaxConnectionsLimit = 10'000'000;
constexpr long long kMaxDefaultHashWorkers = 4;
constexpr long long kMaxHashWorkers = 64;
constexpr long long kMaxHashQueue = 100'000;
constexpr long long kMaxSessionsLimit = 100'000;
constexpr int kWebRootSearchDepth = 6;
constexpr long long kMaxPushWorkers = 64;

// The CPUs this process may run on: its affinity mask (taskset, a container's cpuset), which
// std::thread::hardware_concurrency() does not see; every online CPU where the mask is unknown.
unsigned usableCpus() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) {
    return static_cast<unsigned>(CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}
// RFC 8030 lets a push service cap the TTL; four weeks is what the big ones keep at most.
constexpr long long kMaxPushTtlSeconds = 28 * 24 * 3600;
constexpr std::array kLogLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A host name or IPv4 address, or an IPv6 address (bracketed or not): what goes between
// "turn:" and ":PORT" in a URL.
bool validTurnHost(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return canonicalAddress(host).has_value();
  }
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-';
  });
}

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
}  // namespace

fs::path findDefaultWebRoot() {
  std::error_code ec;
  if (fs::is_directory("web", ec)) return fs::absolute("web", ec);
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  auto dir = exe.parent_path();
  for (int depth = 0; depth < kWebRootSearchDepth && !dir.empty(); ++depth) {
    if (fs::is_directory(dir / "web", ec)) return dir / "web";
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return {};
}

ServerConfig loadServerConfig(const Settings& settings) {
  ServerConfig c;
  std::tie(c.listenHost, c.listenPort) = parseHostPort(settings.getString("listen", kDefaultListen));
  c.dataDir = settings.getString("data", kDefaultDataDir);
  if (c.dataDir.empty()) throw ConfigError("'data' must not be empty");

  c.publicUrl = withoutTrailingSlash(settings.getString("public-url", ""));
  if (!c.publicUrl.empty() && !startsWith(c.publicUrl, "http://") &&
      !startsWith(c.publicUrl, "https://")) {
    throw ConfigError("'public-url' must start with http:// or https://, not '" + c.publicUrl + "'");
  }

  for (const auto& host : settings.getList("allowed-hosts", {})) {
    bool nameChars = !host.empty() && std::all_of(host.begin(), host.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_';
    });
    if (!nameChars) {
      throw ConfigError("'allowed-hosts' entries must be host names (no scheme or port), not '" +
                        host + "'");
    }
    c.allowedHosts.push_back(host);
  }

  auto webRoot = settings.getString("web-root", "");
  c.webRoot = webRoot.empty() ? findDefaultWebRoot() : fs::path(webRoot);

  c.logLevel = settings.getString("log-level", "info");
  if (std::find(kLogLevels.begin(), kLogLevels.end(), c.logLevel) == kLogLevels.end()) {
    throw ConfigError("'log-level' must be one of trace, debug, info, warn, error, critical, off");
  }

  auto cores = static_cast<long long>(usableCpus());
  c.ioThreads = static_cast<int>(settings.getInt("threads", cores, 1, kMaxIoThreads));

  for (const auto& proxy : settings.getList("trusted-proxies", {})) {
    auto address = canonicalAddress(proxy);
    if (!address) {
      throw ConfigError("'trusted-proxies' entries must be IP addresses, not '" + proxy + "'");
    }
    c.trustedProxies.push_back(*address);
  }

  c.metricsToken = settings.getString("metrics-token", "");

  c.tlsCert = settings.getString("tls.cert", "");
  c.tlsKey = settings.getString("tls.key", "");
  if (c.tlsCert.empty() != c.tlsKey.empty()) {
    throw ConfigError("'tls.cert' and 'tls.key' must be given together");
  }

  c.turn.secret = settings.getString("turn.secret", "");
  c.turn.urls = settings.getList("turn.urls", {});
  // One coturn by its host: UDP, TCP and TLS URLs. An explicit `urls` list replaces them.
  auto turnHost = settings.getString("turn.host", "");
  auto turnPort = settings.getInt("turn.port", turn::kDefaultTurnPort, 1, kMaxPort);
  auto turnTlsPort = settings.getInt("turn.tls-port", turn::kDefaultTurnTlsPort, 0, kMaxPort);
  if (!turnHost.empty()) {
    if (!validTurnHost(turnHost)) {
      throw ConfigError("'turn.host' must be a host name or an address, not '" + turnHost + "'");
    }
    if (c.turn.urls.empty()) {
      c.turn.urls = turn::coturnUrls(turnHost, static_cast<unsigned short>(turnPort),
                                     static_cast<unsigned short>(turnTlsPort));
    }
  }
  for (const auto& url : c.turn.urls) {
    if (!startsWith(url, "turn:") && !startsWith(url, "turns:") && !startsWith(url, "stun:") &&
        !startsWith(url, "stuns:")) {
      throw ConfigError("'turn.urls' entries must start with turn:, turns: or stun:, not '" + url + "'");
    }
  }
  c.turn.ttl = std::chrono::seconds(
      settings.getInt("turn.ttl", kDefaultTurnTtlSeconds, 60, kMaxTurnTtlSeconds));

  c.signaling.pingInterval = std::chrono::seconds(settings.getInt(
      "signaling.ping-interval", c.signaling.pingInterval.count(), 1, kMaxPingIntervalSeconds));
  c.signaling.cameraAuthTimeout = std::chrono::seconds(
      settings.getInt("signaling.camera-auth-timeout", c.signaling.cameraAuthTimeout.count(), 1,
                      kMaxCameraAuthTimeoutSeconds));
  c.revocationSweepInterval = std::chrono::seconds(
      settings.getInt("signaling.revocation-sweep-interval", c.revocationSweepInterval.count(), 1,
                      kMaxRevocationSweepSeconds));

  c.eventMaxAgeDays = settings.getInt("events.max-age-days", c.eventMaxAgeDays, 1, 3650);
  c.eventsPerCamera = settings.getInt("events.max-per-camera", c.eventsPerCamera, 1, 10'000'000);
  c.signaling.eventsPerMinute = static_cast<double>(settings.getInt(
      "events.max-per-minute", static_cast<long long>(c.signaling.eventsPerMinute), 1, 6000));

  c.maxConnections = settings.getInt("max-connections", 0, 0, kMaxConnectionsLimit);
  c.maxConnectionsPerAddress = settings.getInt(
      "max-connections-per-address", kDefaultMaxConnectionsPerAddress, 0, kMaxConnectionsLimit);

  // One hashing thread per core up to four (each Argon2id hash holds 19 MiB).
  c.hashWorkers = static_cast<int>(
      settings.getInt("auth.hash-workers", std::min<long long>(cores, kMaxDefaultHashWorkers), 1,
                      kMaxHashWorkers));
  c.hashQueue = settings.getInt("auth.hash-queue", kDefaultHashQueue, 1, kMaxHashQueue);
  c.maxSessionsPerAccount = settings.getInt("auth.max-sessions", kDefaultMaxSessionsPerAccount,
                                            0, kMaxSessionsLimit);

  c.push.contact = settings.getString("push.contact", "");
  if (!c.push.contact.empty() && !startsWith(c.push.contact, "mailto:") &&
      !startsWith(c.push.contact, "https://")) {
    throw ConfigError("'push.contact' must be a mailto: or https: URL, not '" + c.push.contact +
                      "'");
  }
  // Without a contact, an https public-url tells push services whose server this is.
  if (c.push.contact.empty() && startsWith(c.publicUrl, "https://")) c.push.contact = c.publicUrl;
  auto pushHosts = settings.getList("push.endpoint-hosts", {});
  if (!pushHosts.empty()) {
    for (const auto& host : pushHosts) {
      bool nameChars = !host.empty() && std::all_of(host.begin(), host.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' ||
               ch == ':';
      });
      if (!nameChars) {
        throw ConfigError("'push.endpoint-hosts' entries must be host names (or .suffixes), not '" +
                          host + "'");
      }
    }
    c.push.endpointHosts = pushHosts;
  }
  c.push.allowHttp = settings.getBool("push.allow-http", false);
  c.push.workers = static_cast<int>(
      settings.getInt("push.workers", push::kDefaultPushWorkers, 1, kMaxPushWorkers));
  c.push.ttl = std::chrono::seconds(
      settings.getInt("push.ttl", push::kDefaultPushTtl.count(), 0, kMaxPushTtlSeconds));
  auto vapidFile = settings.getString("push.vapid-key-file", "");
  c.vapidKeyFile = vapidFile.empty() ? c.dataDir / "vapid.pem" : fs::path(vapidFile);
  c.storeUrl = settings.getString("store.url", "");
  if (!c.storeUrl.empty() && !startsWith(c.storeUrl, "postgresql://") &&
      !startsWith(c.storeUrl, "postgres://")) {
    // Not echoed: the URL may carry a password.
    throw ConfigError("'store.url' must start with postgresql:// or postgres://");
  }
  c.storePoolSize = static_cast<int>(
      settings.getInt("store.pool-size", kDefaultStorePoolSize, 1, kMaxStorePoolSize));

  c.busUrl = settings.getString("bus.url", "");
  if (!c.busUrl.empty() && !c.busUrl.starts_with("redis://")) {
    // Not echoed: the URL may carry a password.
    throw ConfigError("'bus.url' must start with redis://");
  }
  auto keyFile = settings.getString("master-key-file", "");
  c.masterKeyFile = keyFile.empty() ? c.dataDir / "master.key" : fs::path(keyFile);
  return c;
}

std::string cameraWebSocketUrl(const ServerConfig& config) {
  if (!config.publicUrl.empty()) {
    if (startsWith(config.publicUrl, "https://")) return "wss://" + config.publicUrl.substr(8) + "/ws/camera";
    return "ws://" + config.publicUrl.substr(7) + "/ws/camera";
  }
  std::string host = config.listenHost.find(':') != std::string::npos
                         ? "[" + config.listenHost + "]"
                         : config.listenHost;
  return std::string(config.tlsEnabled() ? "wss://" : "ws://") + host + ":" +
         std::to_string(config.listenPort) + "/ws/camera";
}

}  // namespace seccam::server
