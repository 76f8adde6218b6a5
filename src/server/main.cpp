// seccam-server's command line: `serve`, and the operator's `camera provision|list|revoke`.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "common/crypto.hpp"
#include "common/log_format.hpp"
#include "common/settings.hpp"
#include "server/api/api.hpp"
#include "server/config/master_key.hpp"
#include "server/config/server_config.hpp"
#include "server/provisioning/provisioning.hpp"
#include "server/server.hpp"
#include "server/store/open_store.hpp"
#include "server/store/store.hpp"

// A fuzzer build (-DSECCAM_FUZZ=ON) weakens the password hash to its cheapest cost: it
// builds only the fuzz targets, never a server anyone could run.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#error "seccam-server is not built with -DSECCAM_FUZZ=ON; build it in a normal build folder"
#endif

namespace {
using namespace seccam;
using namespace seccam::server;

constexpr int kMaxProvisionCount = 10'000;

constexpr const char* kConfigurationReference = R"(
Configuration: defaults < TOML file (--config, or $SECCAM_CONFIG) < SECCAM_* environment
variables < flags. Keys (TOML key = environment variable = flag, default):
  listen           SECCAM_LISTEN            --listen HOST:PORT    127.0.0.1:8080
  data             SECCAM_DATA              --data DIR            ./data
  public-url       SECCAM_PUBLIC_URL        --public-url URL      (none: scheme + Host header)
  allowed-hosts    SECCAM_ALLOWED_HOSTS     --allowed-hosts A,B   (none: IP literals, localhost
                                                                   and public-url's host only)
  web-root         SECCAM_WEB_ROOT          --web-root DIR        web/ beside the cwd or the binary
  log-level        SECCAM_LOG_LEVEL         --log-level LEVEL     info
  threads          SECCAM_THREADS           --threads N           one per CPU it may run on
  trusted-proxies  SECCAM_TRUSTED_PROXIES   --trusted-proxies A,B (none: X-Forwarded-For ignored)
  master-key-file  SECCAM_MASTER_KEY_FILE   --master-key-file F   DATA/master.key (created 0600)
  metrics-token    SECCAM_METRICS_TOKEN     --metrics-token TEXT  (none: /metrics for loopback only)
  max-connections  SECCAM_MAX_CONNECTIONS   --max-connections N   0: what the open-file limit allows
  max-connections-per-address  SECCAM_MAX_CONNECTIONS_PER_ADDRESS  --max-connections-per-address N
                                                                   256 (0: no per-address cap)
  [store] url      SECCAM_STORE_URL         --store-url URL       (none: SQLite in DATA/seccam.db)
                                                                   postgresql://USER:PASS@HOST/DB
  [store] pool-size  SECCAM_STORE_POOL_SIZE  --store-pool-size N  4 PostgreSQL connections (1-64)
  [tls] cert       SECCAM_TLS_CERT          --tls-cert FILE       (none: plain HTTP)
  [tls] key        SECCAM_TLS_KEY           --tls-key FILE        (none)
  [turn] secret    SECCAM_TURN_SECRET       --turn-secret TEXT    (none: no TURN credentials)
  [turn] host      SECCAM_TURN_HOST         --turn-host HOST      (none: no TURN URLs)
  [turn] port      SECCAM_TURN_PORT         --turn-port PORT      3478 (TURN over UDP and TCP)
  [turn] tls-port  SECCAM_TURN_TLS_PORT     --turn-tls-port PORT  5349 (TURN over TLS; 0: none)
  [turn] urls      SECCAM_TURN_URLS         --turn-urls A,B       (from host; comma separated)
  [turn] ttl       SECCAM_TURN_TTL          --turn-ttl SECONDS    86400
  [auth] hash-workers  SECCAM_AUTH_HASH_WORKERS  --auth-hash-workers N  one per core, at most 4
  [auth] hash-queue    SECCAM_AUTH_HASH_QUEUE    --auth-hash-queue N    64 (sign-ins waiting; more: 503)
  [auth] max-sessions  SECCAM_AUTH_MAX_SESSIONS  --auth-max-sessions N  20 per account (0: no cap)
  [push] contact         SECCAM_PUSH_CONTACT         --push-contact URL      (none: an https public-url)
  [push] endpoint-hosts  SECCAM_PUSH_ENDPOINT_HOSTS  --push-endpoint-hosts A,B  the big push services
  [push] workers         SECCAM_PUSH_WORKERS         --push-workers N        2 (push requests at once)
  [push] ttl             SECCAM_PUSH_TTL             --push-ttl SECONDS      86400
  [push] vapid-key-file  SECCAM_PUSH_VAPID_KEY_FILE  --push-vapid-key-file F DATA/vapid.pem (created 0600)
  [push] allow-http      SECCAM_PUSH_ALLOW_HTTP      --push-allow-http BOOL  false (tests only)
  [events] max-age-days    SECCAM_EVENTS_MAX_AGE_DAYS    --events-max-age-days N    30 (motion events kept)
  [events] max-per-camera  SECCAM_EVENTS_MAX_PER_CAMERA  --events-max-per-camera N  10000 (oldest go first)
  [events] max-per-minute  SECCAM_EVENTS_MAX_PER_MINUTE  --events-max-per-minute N  30 (`event` messages a
                                                                   camera may send; more are dropped)
  [bus] url        SECCAM_BUS_URL           --bus-url URL         (none: this node alone; set:
                                                                   redis://[[USER]:PASSWORD@]HOST[:PORT]
                                                                   shared by every node, docs/BUS.md)
  [signaling] ping-interval              SECCAM_SIGNALING_PING_INTERVAL              20
  [signaling] camera-auth-timeout        SECCAM_SIGNALING_CAMERA_AUTH_TIMEOUT        10
  [signaling] revocation-sweep-interval  SECCAM_SIGNALING_REVOCATION_SWEEP_INTERVAL  5
    (seconds; flags --signaling-ping-interval, --signaling-camera-auth-timeout and
    --signaling-revocation-sweep-interval)
Run `seccam-server SUBCOMMAND --help` for each subcommand's flags.
)";

struct CommandLine {
  Settings settings{kEnvPrefix};
  std::string configFile;
};

void addFlag(CLI::App& app, CommandLine& cli, const std::string& flag, const std::string& key,
             const std::string& help) {
  app.add_option_function<std::string>(
      flag, [&cli, key](const std::string& value) { cli.settings.setOverride(key, value); }, help);
}

void addStorageFlags(CLI::App& app, CommandLine& cli) {
  app.add_option("--config", cli.configFile, "TOML configuration file (also $SECCAM_CONFIG)");
  addFlag(app, cli, "--data", "data", "Data folder: database, master key (default ./data)");
  addFlag(app, cli, "--store-url", "store.url",
          "PostgreSQL URL (postgresql://…) to store accounts and cameras in; default: SQLite in "
          "the data folder");
  addFlag(app, cli, "--store-pool-size", "store.pool-size",
          "PostgreSQL connections to keep at most (default 4)");
  addFlag(app, cli, "--master-key-file", "master-key-file",
          "Fleet master key file (default DATA/master.key, created 0600 on first use)");
  addFlag(app, cli, "--log-level", "log-level",
          "trace, debug, info, warn, error, critical or off (default info)");
}

void addAddressFlags(CLI::App& app, CommandLine& cli) {
  addFlag(app, cli, "--listen", "listen", "HOST:PORT to listen on (default 127.0.0.1:8080)");
  addFlag(app, cli, "--public-url", "public-url",
          "URL browsers and cameras use, e.g. https://cams.example.org behind a reverse proxy");
  addFlag(app, cli, "--tls-cert", "tls.cert", "PEM certificate chain: serve HTTPS and WSS");
  addFlag(app, cli, "--tls-key", "tls.key", "PEM private key of --tls-cert");
}

void addServeFlags(CLI::App& app, CommandLine& cli) {
  addFlag(app, cli, "--web-root", "web-root", "Folder of the web app (default: web/ found near)");
  addFlag(app, cli, "--threads", "threads", "IO threads (default: one per core)");
  addFlag(app, cli, "--allowed-hosts", "allowed-hosts",
          "Comma-separated host names the server answers besides IP addresses, localhost and "
          "public-url's host (others get 421)");
  addFlag(app, cli, "--trusted-proxies", "trusted-proxies",
          "Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed");
  addFlag(app, cli, "--metrics-token", "metrics-token",
          "Bearer token that opens GET /metrics to other hosts (default: loopback clients only)");
  addFlag(app, cli, "--max-connections", "max-connections",
          "Open connections in total; past it requests get 503 (default 0: what the open-file "
          "limit allows)");
  addFlag(app, cli, "--max-connections-per-address", "max-connections-per-address",
          "Open connections per client address; past it requests get 503 (default 256, 0: no "
          "cap)");
  addFlag(app, cli, "--bus-url", "bus.url",
          "redis://[[USER]:PASSWORD@]HOST[:PORT] that every node of a deployment of several servers shares "
          "(default: none, this server alone)");
  addFlag(app, cli, "--turn-secret", "turn.secret", "Shared secret of coturn's use-auth-secret");
  addFlag(app, cli, "--turn-host", "turn.host",
          "coturn's host name or address: hand out TURN over UDP, TCP and TLS on it");
  addFlag(app, cli, "--turn-port", "turn.port", "coturn's UDP and TCP port (default 3478)");
  addFlag(app, cli, "--turn-tls-port", "turn.tls-port",
          "coturn's TLS port (default 5349; 0: hand out no turns: URL)");
  addFlag(app, cli, "--turn-urls", "turn.urls",
          "Comma-separated turn:, turns: and stun: URLs given to browsers and cameras, "
          "instead of those from --turn-host");
  addFlag(app, cli, "--turn-ttl", "turn.ttl",
          "Lifetime of TURN credentials in seconds (default 86400)");
  addFlag(app, cli, "--auth-hash-workers", "auth.hash-workers",
          "Threads that hash passwords, at a lower priority (default: one per core, at most 4)");
  addFlag(app, cli, "--auth-hash-queue", "auth.hash-queue",
          "Sign-ins and sign-ups that may wait for a hashing thread; more get 503 (default 64)");
  addFlag(app, cli, "--auth-max-sessions", "auth.max-sessions",
          "Sessions an account may have at once; a sign-in past it ends the oldest (default 20, "
          "0: no cap)");
  addFlag(app, cli, "--events-max-age-days", "events.max-age-days",
          "Days a camera's motion events are kept (default 30)");
  addFlag(app, cli, "--events-max-per-camera", "events.max-per-camera",
          "Motion events kept per camera, oldest deleted first (default 10000)");
  addFlag(app, cli, "--events-max-per-minute", "events.max-per-minute",
          "Event messages one camera may send a minute; more are dropped (default 30)");
  addFlag(app, cli, "--push-contact", "push.contact",
          "VAPID contact for push services: a mailto: or https: URL (default: an https "
          "public-url)");
  addFlag(app, cli, "--push-endpoint-hosts", "push.endpoint-hosts",
          "Comma-separated push service hosts (.suffix for a domain) browsers may subscribe "
          "with (default: FCM, Mozilla, WNS, Apple)");
  addFlag(app, cli, "--push-workers", "push.workers", "Push requests in flight at once (default 2)");
  addFlag(app, cli, "--push-ttl", "push.ttl",
          "Seconds a push service keeps a notification for an offline browser (default 86400)");
  addFlag(app, cli, "--push-vapid-key-file", "push.vapid-key-file",
          "VAPID key file (default DATA/vapid.pem, created 0600 at first start)");
  addFlag(app, cli, "--push-allow-http", "push.allow-http",
          "true: accept plain http:// push endpoints (a local test endpoint only)");
  addFlag(app, cli, "--signaling-ping-interval", "signaling.ping-interval",
          "Seconds between pings to a WebSocket peer; one that misses two is dropped (default 20)");
  addFlag(app, cli, "--signaling-camera-auth-timeout", "signaling.camera-auth-timeout",
          "Seconds a camera has to answer the challenge, then close 4408 (default 10)");
  addFlag(app, cli, "--signaling-revocation-sweep-interval", "signaling.revocation-sweep-interval",
          "Seconds between looks for revoked cameras still connected, which are then "
          "disconnected (default 5)");
}

ServerConfig loadConfig(CommandLine& cli) {
  if (cli.configFile.empty()) {
    if (const char* env = std::getenv("SECCAM_CONFIG")) cli.configFile = env;
  }
  if (!cli.configFile.empty()) cli.settings.loadToml(cli.configFile);
  auto config = loadServerConfig(cli.settings);
  spdlog::set_level(spdlog::level::from_str(config.logLevel));
  return config;
}

std::unique_ptr<store::Store> openStore(const ServerConfig& config) {
  if (makePrivateDirectory(config.dataDir)) {
    spdlog::warn("data folder {} was readable by others: made private (0700)",
                 config.dataDir.string());
  }
  return store::openStore(config.storeUrl, static_cast<std::size_t>(config.storePoolSize),
                          config.databasePath().string());
}

// `--out -`: the configs go to stdout and no file keeps a device key on the server.
constexpr const char* kOutToStdout = "-";

int provision(CommandLine& cli, int count, const std::string& outDir, bool json) {
  bool toStdout = outDir == kOutToStdout;
  if (toStdout && !json && count != 1) {
    std::cerr << "seccam-server: --out - prints one camera's config; use --count 1, or --json "
                 "for several (each line carries its device key)\n";
    return 2;
  }
  auto config = loadConfig(cli);
  auto store = openStore(config);
  auto masterKey = loadOrCreateMasterKey(config.masterKeyFile);
  std::optional<std::filesystem::path> out;
  if (!toStdout) out = outDir.empty() ? config.dataDir / "cameras" : std::filesystem::path(outDir);
  auto cameras = provisionCameras(*store, masterKey, count, out, cameraWebSocketUrl(config));
  for (const auto& camera : cameras) {
    if (json) {
      std::cout << provisioningJsonLine(camera) << "\n";
    } else if (toStdout) {
      // stdout is the camera's config file, ready to redirect; the label goes to stderr.
      std::cout << cameraConfigToml(camera);
      std::cerr << "Camera ID:  " << camera.cameraId << "\n"
                << "Claim code: " << humanClaimCode(camera.claimCode) << "\n";
    } else {
      std::cout << "Camera ID:  " << camera.cameraId << "\n"
                << "Claim code: " << humanClaimCode(camera.claimCode) << "\n"
                << "Config:     " << camera.configFile.string() << "\n\n";
    }
  }
  std::cout.flush();
  return 0;
}

int listCameras(CommandLine& cli) {
  auto config = loadConfig(cli);
  auto store = openStore(config);
  auto cameras = store->listCameras();
  std::cout << fmt::format("{:<20} {:<20} {:<9} {:<20} {:<20} {}\n", "CAMERA", "PROVISIONED",
                           "STATE", "OWNER", "LAST SEEN", "NAME");
  for (const auto& c : cameras) {
    std::string state = c.revoked ? "revoked" : c.ownerId ? "claimed" : "unclaimed";
    std::cout << fmt::format("{:<20} {:<20} {:<9} {:<20} {:<20} {}\n", c.id,
                             api::isoTime(c.provisionedAt), state, c.ownerUsername.value_or("-"),
                             c.lastSeen ? api::isoTime(*c.lastSeen) : "never", c.name);
  }
  if (cameras.empty()) std::cout << "(no cameras provisioned)\n";
  return 0;
}

int revokeCamera(CommandLine& cli, const std::string& cameraId) {
  auto config = loadConfig(cli);
  auto store = openStore(config);
  if (!store->revokeCamera(cameraId)) {
    std::cerr << "seccam-server: no camera " << cameraId << "\n";
    return 1;
  }
  std::cout << fmt::format(
      "Revoked {}: a running server disconnects it (close 4401) within {} s if it is connected, "
      "and refuses every later authentication.\n",
      cameraId, config.revocationSweepInterval.count());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // The database (password hashes), master key and camera configs are for this user only.
  ::umask(077);
  seccam::crypto::initialize();
  spdlog::set_default_logger(spdlog::stderr_color_mt("seccam-server"));
  // spdlog's default line, with every logged value's control characters escaped.
  seccam::logging::useEscapingFormat("[%Y-%m-%d %H:%M:%S.%e] [%n] [%^%l%$] %*");

  CLI::App app{"seccam-server: accounts, cameras and WebRTC signaling for SecCam"};
  app.footer(kConfigurationReference);
  app.require_subcommand(1);
  CommandLine cli;

  auto* serve = app.add_subcommand("serve", "Serve the web app, the JSON API and the WebSockets");
  addStorageFlags(*serve, cli);
  addAddressFlags(*serve, cli);
  addServeFlags(*serve, cli);

  auto* camera = app.add_subcommand("camera", "Operator commands for cameras");
  camera->require_subcommand(1);
  int count = 1;
  std::string outDir;
  bool json = false;
  auto* provisionCmd = camera->add_subcommand(
      "provision", "Create camera identities: config file per camera, ID and claim code printed");
  addStorageFlags(*provisionCmd, cli);
  addAddressFlags(*provisionCmd, cli);
  provisionCmd->add_option("--count", count, "How many cameras (default 1)")
      ->check(CLI::Range(1, kMaxProvisionCount));
  provisionCmd->add_option(
      "--out", outDir,
      "Folder for <cameraId>.toml files (default DATA/cameras), or - to keep no file: the "
      "config goes to stdout (one camera; the ID and claim code to stderr), or with --json "
      "only the JSON lines");
  provisionCmd->add_flag("--json", json, "One JSON object a line (PROTOCOL.md)");

  auto* listCmd = camera->add_subcommand("list", "List provisioned cameras and their state");
  addStorageFlags(*listCmd, cli);

  std::string revokeId;
  auto* revokeCmd = camera->add_subcommand("revoke", "Refuse a camera from now on");
  addStorageFlags(*revokeCmd, cli);
  revokeCmd->add_option("ID", revokeId, "Camera ID")->required();

  CLI11_PARSE(app, argc, argv);

  try {
    if (serve->parsed()) return runServer(loadConfig(cli));
    if (provisionCmd->parsed()) return provision(cli, count, outDir, json);
    if (listCmd->parsed()) return listCameras(cli);
    if (revokeCmd->parsed()) return revokeCamera(cli, revokeId);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 2;
}
