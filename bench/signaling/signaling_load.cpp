// Signaling load generator (issue 5, item 4 and 5): drives a real seccam-server with N camera
// and M viewer WebSocket connections running the offer/answer/candidate exchange, and reports
// the server's CPU per relayed message, relay latency, saturation throughput, memory per idle
// connection, and relay latency during a sign-in storm. The cluster phases (issue 12) run three
// nodes sharing one Redis bus and one store (tests/support/cluster.hpp; SECCAM_TEST_STORE=postgres
// for PostgreSQL): relay with camera and viewers on one node or on two, idle cameras per node,
// and sign-ins across the three. The node phases (issue 12) run fixed, max and idle against the
// Node `ws` reference relay (node-relay/relay.mjs, the seed's design) in the same run, and the
// report gives SecCam's figures as ratios of Node's.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/protocol.hpp"
#include "cpu_placement.hpp"
#include "floor_relay.hpp"
#include "latency_recorder.hpp"
#include "node_relay.hpp"
#include "process_stats.hpp"
#include "support/clients.hpp"
#include "support/cluster.hpp"
#include "support/server_process.hpp"
#include "ws_peer.hpp"

namespace asio = boost::asio;
using namespace seccam;
using namespace std::chrono;
using nlohmann::json;

namespace {

constexpr double kPerConnectionRateCeiling = 45.0;  // PROTOCOL.md allows 50/s sustained
constexpr const char* kPassword = "Load-test-pass1!";

// The WebSocket targets carry a placement hint, the one camera a connection is about; servers
// route on the path alone and ignore the query (seccam-server's pathOf, the Node relay alike).
std::string viewerTarget(const std::string& cameraId) { return "/ws?camera=" + cameraId; }
std::string cameraTarget(const std::string& cameraId) { return "/ws/camera?camera=" + cameraId; }

std::uint64_t nowNanos() {
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string_view messageType(std::string_view text) {
  auto pos = text.find("\"type\":");
  if (pos == std::string_view::npos) return {};
  pos = text.find('"', pos + 7);
  if (pos == std::string_view::npos) return {};
  auto end = text.find('"', pos + 1);
  return end == std::string_view::npos ? std::string_view{} : text.substr(pos + 1, end - pos - 1);
}

std::string_view stringField(std::string_view text, std::string_view name) {
  std::string key = "\"" + std::string(name) + "\":\"";
  auto pos = text.find(key);
  if (pos == std::string_view::npos) return {};
  pos += key.size();
  auto end = text.find('"', pos);
  return end == std::string_view::npos ? std::string_view{} : text.substr(pos, end - pos);
}

// The send time carried in a candidate's text as " t=<ns>".
std::optional<std::uint64_t> stampOf(std::string_view text) {
  auto pos = text.find(" t=");
  if (pos == std::string_view::npos) return std::nullopt;
  std::uint64_t v = 0;
  for (pos += 3; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
    v = v * 10 + static_cast<std::uint64_t>(text[pos] - '0');
  }
  return v;
}

// seccam-server's relay-time histogram (seccam_relay_duration_seconds, summed over the nodes
// asked): each bucket's upper bound in seconds (the last one infinite) and its cumulative count.
using RelayHistogram = std::vector<std::pair<double, double>>;

RelayHistogram scrapeRelayTimes(const std::vector<test::ServerProcess*>& nodes) {
  constexpr std::string_view kPrefix = "seccam_relay_duration_seconds_bucket{le=\"";
  RelayHistogram sum;
  for (auto* node : nodes) {
    auto response = test::httpRequest(node->host(), node->port(), "GET", "/metrics");
    std::istringstream lines(response.body);
    std::size_t i = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(kPrefix, 0) != 0) continue;
      auto close = line.find('"', kPrefix.size());
      auto bound = line.substr(kPrefix.size(), close - kPrefix.size());
      double le = bound == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(bound);
      double count = std::stod(line.substr(line.rfind(' ') + 1));
      if (i == sum.size()) sum.emplace_back(le, 0);
      sum[i++].second += count;
    }
  }
  return sum;
}

// The p-th percentile (0-100) of what was observed between two scrapes, in microseconds, by
// linear interpolation within its bucket (as Prometheus's histogram_quantile); -1 without data.
double relayPercentileMicros(const RelayHistogram& before, const RelayHistogram& after, double p) {
  if (after.empty() || before.size() != after.size()) return -1;
  double total = after.back().second - before.back().second;
  if (total <= 0) return -1;
  double rank = p / 100.0 * total, lower = 0, below = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    double upper = after[i].first, cumulative = after[i].second - before[i].second;
    if (cumulative >= rank) {
      if (std::isinf(upper)) return lower * 1e6;  // past the last bound: that bound
      double share = cumulative > below ? (rank - below) / (cumulative - below) : 1;
      return (lower + (upper - lower) * share) * 1e6;
    }
    lower = upper;
    below = cumulative;
  }
  return -1;
}

std::string candidateMessage(const std::string& session) {
  return R"({"type":"candidate","session":")" + session +
         R"(","candidate":"candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host t=)" +
         std::to_string(nowNanos()) + R"(","sdpMid":"0","sdpMLineIndex":0})";
}

struct Options {
  int cameras = 100;
  int viewersPerCamera = 4;
  double rate = 20000;
  int duration = 10;
  int maxCameras = 400;
  int idle = 10000;
  int idleCameras = 3000;  // cluster-idle: spread over the three nodes
  double signinRate = 50;
  double stormRelayRate = 5000;
  int tickMicros = 250;  // the pacer's period: each tick sends what is due since the last
  // main() adds node-fixed, node-max and node-idle when the relay can run here.
  std::vector<std::string> phases{"fixed", "max", "idle", "storm"};
  std::string jsonPath = "signaling-load.json";
  std::vector<std::string> serverArgs{"--log-level", "warn"};
  // Where the target (seccam-server, its cluster, or the Node relay: every thread) runs; the
  // generator then runs on the other CPUs. Empty: everything shares every CPU.
  std::vector<int> serverCpus;
  // The target's CPU budget in the saturation phase, in cores (a cgroup quota); 0: none. Its
  // saturation rate is then what it relays on that budget, with the generator not the limit.
  double maxCpuQuota = 0;
  static constexpr int kClusterNodes = 3;
};

bool isClusterPhase(const std::string& phase) { return phase.starts_with("cluster-"); }
// node-fixed, node-max, node-idle: the same phase against the Node reference relay.
constexpr std::string_view kNodePrefix = "node-";
bool isNodePhase(const std::string& phase) { return phase.starts_with(kNodePrefix); }

class LoadRun {
 public:
  explicit LoadRun(Options opt) : opt_(std::move(opt)) {}

  int run();

 private:
  struct Camera {
    std::shared_ptr<bench::WsPeer> peer;
    test::ProvisionedCamera identity;
    std::vector<std::string> sessions;
    std::size_t next = 0;
    bool ready = false;
  };
  struct Viewer {
    std::shared_ptr<bench::WsPeer> peer;
    std::string session;
    std::size_t camera = 0;
    bool hello = false;
    bool answered = false;
    bool crossed = false;  // cluster-mixed: on another node than its camera
  };

  void stopTarget();
  void startServer(bool cluster = false);
  void startNodeRelay();
  std::vector<test::ProvisionedCamera> provision(int count);
  void signUp(int cameraCount);
  void connectTopology(int cameraCount, int viewersPerCamera);
  void closeTopology();
  bool runUntil(const std::function<bool()>& done, seconds timeout);
  struct PacedResult {
    double offeredRate = 0, deliveredRate = 0, serverCpuMicrosPerMessage = 0,
           serverCpuPercent = 0, loadgenCpuPercent = 0, p50 = 0, p99 = 0, p999 = 0,
           redisCpuMicrosPerMessage = 0, stealPercent = 0;
    // Time inside seccam-server (its relay-time histogram), summed over its nodes; -1 for a
    // target without one (the Node relay, the floor).
    double relayP50 = -1, relayP99 = -1;
    std::uint64_t delivered = 0, errors = 0;
    // Connections the server closed during the phase (the generator closes none): a peer too
    // slow to read is dropped by seccam-server, whose share of the offered rate is then lost.
    std::uint64_t closed = 0;
  };
  PacedResult runPaced(double rate, seconds window);
  void onCameraMessage(Camera& cam, std::string_view text);
  void onViewerMessage(Viewer& viewer, std::string_view text);
  void recordCandidate(std::string_view text, bool toCamera, bool crossed);

  int pacedConnections() const;
  json phaseFixed();
  json phaseFloor();
  json phaseMax();
  json phaseIdle();
  // A household's account (one camera): its Cookie header value and its camera.
  std::pair<std::string, std::string> household();
  json phaseStorm();
  json phaseClusterRelay(bool crossNode);
  json phaseClusterMixed();
  json phaseClusterIdle();
  json phaseClusterSignin();
  // The node the API calls go to: the only server, or the cluster's first node.
  test::ServerProcess& api() { return cluster_ ? cluster_->node(0) : *server_; }
  // The seccam-server processes under test (none for the Node relay and the floor, which
  // stop it first).
  std::vector<test::ServerProcess*> seccamNodes() {
    std::vector<test::ServerProcess*> nodes;
    if (server_) nodes.push_back(server_.get());
    for (int i = 0; cluster_ && i < Options::kClusterNodes; ++i) nodes.push_back(&cluster_->node(i));
    return nodes;
  }
  // A phase's name as printed and in the JSON: "fixed", or "node-fixed" against the Node relay.
  std::string label(const std::string& phase) const {
    return node_ ? std::string(kNodePrefix) + phase : phase;
  }

  Options opt_;
  asio::io_context ioc_;
  std::unique_ptr<test::ServerProcess> server_;
  std::unique_ptr<test::Cluster> cluster_;
  std::unique_ptr<bench::NodeRelay> node_;  // the target instead of seccam-server (node phases)
  asio::ip::tcp::endpoint endpoint_;  // where cameras connect
  std::string origin_;                // the target's own origin (viewers' Origin header)
  // Where viewers connect: the cameras' node unless cross-node.
  asio::ip::tcp::endpoint viewerEndpoint_;
  std::string viewerOrigin_;
  // cluster-mixed: every other viewer of a camera connects here (another node) instead, and
  // what crosses is timed apart.
  std::optional<asio::ip::tcp::endpoint> crossedViewerEndpoint_;
  std::string crossedViewerOrigin_;
  std::unordered_map<std::string, bool> sessionCrossed_;  // session -> its viewer crossed
  bench::LatencyRecorder latencyCrossed_;
  std::vector<pid_t> serverPids_;  // whose CPU is the server's
  std::function<std::uint64_t()> floorCpu_;  // floor: the CPU of the floor relay's thread
  // Usernames carry it: under PostgreSQL every phase's server shares one database.
  int serverStarts_ = 0;
  std::string cookie_;
  std::vector<test::ProvisionedCamera> provisioned_;
  std::size_t claimed_ = 0;
  std::vector<Camera> cameras_;
  std::vector<Viewer> viewers_;
  bench::LatencyRecorder latency_;
  bool recording_ = false;
  bool flooring_ = false;  // the floor phase: candidates go between viewers, none to a camera
  std::uint64_t delivered_ = 0;
  std::uint64_t deliveredToCameras_ = 0;  // of delivered_: a relay that drops one direction shows
  std::uint64_t errors_ = 0;
  int sessionCounter_ = 0;
  bool trace_ = std::getenv("SECCAM_BENCH_TRACE") != nullptr;  // print every message received
};

// A fresh server (and data) for each phase: what one phase leaves behind (the saturation
// phase's buffers, say) must not show in the next one's memory or CPU figures.
void LoadRun::stopTarget() {
  server_.reset();
  cluster_.reset();
  node_.reset();
  ++serverStarts_;
  provisioned_.clear();
  cookie_.clear();
  claimed_ = 0;
}

void LoadRun::startServer(bool cluster) {
  stopTarget();
  // Every generated connection comes from a few loopback addresses: the per-address
  // connection cap (256 by default) is for real clients, not for this generator.
  auto args = opt_.serverArgs;
  args.insert(args.begin(), {"--max-connections-per-address", "0"});
  bench::ChildCpus placement(opt_.serverCpus);
  if (cluster) {
    cluster_ = std::make_unique<test::Cluster>(Options::kClusterNodes, args);
  } else {
    server_ = std::make_unique<test::ServerProcess>(args);
  }
  endpoint_ = viewerEndpoint_ = {asio::ip::make_address(api().host()), api().port()};
  origin_ = viewerOrigin_ = api().origin();
  serverPids_.clear();
  for (int i = 0; i < (cluster_ ? Options::kClusterNodes : 1); ++i) {
    serverPids_.push_back(cluster_ ? cluster_->node(i).process().pid() : server_->process().pid());
  }
}

// The Node relay instead, fresh for each phase as the server is; its CPU is its process's, every
// thread counted (libuv's pool and V8's helpers), exactly as the server's.
void LoadRun::startNodeRelay() {
  stopTarget();
  bench::ChildCpus placement(opt_.serverCpus);
  node_ = std::make_unique<bench::NodeRelay>();
  endpoint_ = viewerEndpoint_ = {asio::ip::make_address(node_->host()), node_->port()};
  origin_ = viewerOrigin_ = node_->origin();
  serverPids_ = {node_->process().pid()};
}

std::vector<test::ProvisionedCamera> LoadRun::provision(int count) {
  return node_ ? node_->provision(count) : api().provision(count);
}

// One account owns every camera: the first is claimed at registration, the rest by
// POST /api/cameras. Cameras are provisioned and claimed as a topology needs them.
void LoadRun::signUp(int cameraCount) {
  if (static_cast<int>(provisioned_.size()) < cameraCount) {
    auto more = provision(cameraCount - static_cast<int>(provisioned_.size()));
    provisioned_.insert(provisioned_.end(), more.begin(), more.end());
  }
  if (node_) {  // the relay's accounts file instead of /api/register and claims
    std::vector<std::string> ids;
    for (int i = 0; i < cameraCount; ++i) ids.push_back(provisioned_[i].cameraId);
    cookie_ = node_->addAccount("loadtest-" + std::to_string(serverStarts_), ids);
    claimed_ = static_cast<std::size_t>(cameraCount);
    return;
  }
  test::Headers headers{{"Origin", api().origin()}, {"Content-Type", "application/json"}};
  if (cookie_.empty()) {
    json body{{"username", "loadtest-" + std::to_string(serverStarts_)},
              {"password", kPassword},
              {"cameraId", provisioned_[0].cameraId},
              {"claimCode", provisioned_[0].claimCode}};
    auto res = test::httpRequest(api().host(), api().port(), "POST", "/api/register",
                                 body.dump(), headers);
    if (res.status != 201) throw std::runtime_error("register failed: " + res.body);
    cookie_ = test::cookiePair(res.header("set-cookie"));
    claimed_ = 1;
  }
  headers.emplace_back("Cookie", cookie_);
  for (; claimed_ < static_cast<std::size_t>(cameraCount); ++claimed_) {
    json body{{"cameraId", provisioned_[claimed_].cameraId},
              {"claimCode", provisioned_[claimed_].claimCode}};
    auto res = test::httpRequest(api().host(), api().port(), "POST", "/api/cameras",
                                 body.dump(), headers);
    if (res.status != 201) throw std::runtime_error("claim failed: " + res.body);
  }
}

bool LoadRun::runUntil(const std::function<bool()>& done, seconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (!done() && steady_clock::now() < deadline) {
    ioc_.run_for(milliseconds(20));
    ioc_.restart();
  }
  return done();
}

void LoadRun::onCameraMessage(Camera& cam, std::string_view text) {
  auto type = messageType(text);
  if (trace_) std::fprintf(stderr, "camera %s <- %.*s\n", cam.identity.cameraId.c_str(), static_cast<int>(text.size()), text.data());
  if (type == "candidate") {
    bool crossed = false;
    if (crossedViewerEndpoint_) {
      auto it = sessionCrossed_.find(std::string(stringField(text, "session")));
      crossed = it != sessionCrossed_.end() && it->second;
    }
    return recordCandidate(text, true, crossed);
  }
  if (type == "challenge") {
    auto key = crypto::fromHex(cam.identity.deviceKey).value();
    auto nonce = stringField(text, "nonce");
    cam.peer->send(protocol::serialize(protocol::Auth{
        cam.identity.cameraId, identity::signChallenge(key, nonce, cam.identity.cameraId)}));
  } else if (type == "welcome") {
    cam.ready = true;
  } else if (type == "offer") {
    std::string session(stringField(text, "session"));
    cam.sessions.push_back(session);
    cam.peer->send(protocol::serialize(protocol::Answer{session, "v=0\r\n"}));
  } else if (type == "error") {
    ++errors_;
  }
}

void LoadRun::onViewerMessage(Viewer& viewer, std::string_view text) {
  auto type = messageType(text);
  if (trace_) std::fprintf(stderr, "viewer %s <- %.*s\n", viewer.session.c_str(), static_cast<int>(text.size()), text.data());
  if (type == "candidate") return recordCandidate(text, false, viewer.crossed);
  if (type == "hello") {
    viewer.hello = true;
  } else if (type == "answer") {
    viewer.answered = true;
  } else if (type == "error") {
    ++errors_;
  }
}

void LoadRun::recordCandidate(std::string_view text, bool toCamera, bool crossed) {
  if (!recording_) return;
  ++delivered_;
  if (toCamera) ++deliveredToCameras_;
  if (auto stamp = stampOf(text)) (crossed ? latencyCrossed_ : latency_).add(nowNanos() - *stamp);
}

void LoadRun::connectTopology(int cameraCount, int viewersPerCamera) {
  signUp(cameraCount);
  cameras_.resize(cameraCount);
  std::size_t opened = 0, failed = 0;
  for (int i = 0; i < cameraCount; ++i) {
    auto& cam = cameras_[i];
    cam.identity = provisioned_[i];
    cam.peer = std::make_shared<bench::WsPeer>(ioc_, endpoint_, std::nullopt, cameraTarget(cam.identity.cameraId),
                                               bench::WsPeer::Headers{});
    cam.peer->onMessage([this, i](bench::WsPeer&, std::string_view t) { onCameraMessage(cameras_[i], t); });
    cam.peer->start([&](bool ok) { ok ? ++opened : ++failed; });
  }
  if (!runUntil([&] { return std::all_of(cameras_.begin(), cameras_.end(), [](auto& c) { return c.ready; }); },
                seconds(60))) {
    throw std::runtime_error("cameras did not authenticate (failed connects: " + std::to_string(failed) + ")");
  }
  viewers_.resize(static_cast<std::size_t>(cameraCount * viewersPerCamera));
  bench::WsPeer::Headers headers{{"Cookie", cookie_}, {"Origin", viewerOrigin_}};
  bench::WsPeer::Headers crossedHeaders{{"Cookie", cookie_}, {"Origin", crossedViewerOrigin_}};
  sessionCrossed_.clear();
  for (std::size_t v = 0; v < viewers_.size(); ++v) {
    auto& viewer = viewers_[v];
    viewer.camera = v % static_cast<std::size_t>(cameraCount);
    viewer.session = "load-session-" + std::to_string(++sessionCounter_);
    // A camera's viewers are v = camera, camera + cameraCount, ...: every other one crosses.
    viewer.crossed = crossedViewerEndpoint_ && (v / static_cast<std::size_t>(cameraCount)) % 2 == 1;
    if (crossedViewerEndpoint_) sessionCrossed_[viewer.session] = viewer.crossed;
    viewer.peer = std::make_shared<bench::WsPeer>(ioc_, viewer.crossed ? *crossedViewerEndpoint_ : viewerEndpoint_,
                                                  std::nullopt, viewerTarget(cameras_[viewer.camera].identity.cameraId),
                                                  viewer.crossed ? crossedHeaders : headers);
    viewer.peer->onMessage([this, v](bench::WsPeer&, std::string_view t) { onViewerMessage(viewers_[v], t); });
    viewer.peer->start([](bool) {});
  }
  if (!runUntil([&] { return std::all_of(viewers_.begin(), viewers_.end(), [](auto& v) { return v.hello; }); },
                seconds(60))) {
    throw std::runtime_error("viewers did not get hello");
  }
  for (auto& viewer : viewers_) {
    viewer.peer->send(protocol::serialize(
        protocol::Offer{viewer.session, cameras_[viewer.camera].identity.cameraId, "v=0\r\n", {}}));
  }
  if (!runUntil([&] { return std::all_of(viewers_.begin(), viewers_.end(), [](auto& v) { return v.answered; }); },
                seconds(60))) {
    throw std::runtime_error("not every offer was answered");
  }
}

void LoadRun::closeTopology() {
  for (auto& c : cameras_) c.peer->close();
  for (auto& v : viewers_) v.peer->close();
  runUntil([] { return false; }, seconds(1));
  cameras_.clear();
  viewers_.clear();
}

// Every connection sends candidates round robin so that the total is `rate` a second; the
// measurement window starts after one second of warm-up.
LoadRun::PacedResult LoadRun::runPaced(double rate, seconds window) {
  std::vector<std::function<void()>> senders;
  for (auto& cam : cameras_) {
    senders.push_back([&cam] {
      if (cam.sessions.empty()) return;
      cam.peer->send(candidateMessage(cam.sessions[cam.next++ % cam.sessions.size()]));
    });
  }
  for (auto& viewer : viewers_) {
    senders.push_back([&viewer] { viewer.peer->send(candidateMessage(viewer.session)); });
  }
  std::size_t next = 0;
  double sent = 0;
  auto start = steady_clock::now();
  auto warmupEnd = start + seconds(1);
  auto end = warmupEnd + window;
  asio::steady_timer pacer(ioc_);
  std::function<void()> tick = [&] {
    auto now = steady_clock::now();
    if (now >= end) return;
    double due = rate * duration_cast<duration<double>>(now - start).count() - sent;
    for (; due >= 1; due -= 1, sent += 1) senders[next++ % senders.size()]();
    pacer.expires_after(microseconds(opt_.tickMicros));
    pacer.async_wait([&](auto) { tick(); });
  };
  tick();
  runUntil([&] { return steady_clock::now() >= warmupEnd; }, seconds(5));
  latency_.clear();
  latencyCrossed_.clear();
  delivered_ = deliveredToCameras_ = 0;
  auto errorsBefore = errors_;
  recording_ = true;
  auto serversCpu = [&] {
    std::uint64_t sum = 0;
    for (auto pid : serverPids_) sum += bench::processCpuNanos(pid);
    return floorCpu_ ? sum + floorCpu_() : sum;
  };
  auto redisCpu = [&]() -> std::uint64_t {
    return cluster_ ? bench::processCpuNanos(cluster_->redis().process().pid()) : 0;
  };
  auto serverCpu0 = serversCpu();
  auto redisCpu0 = redisCpu();
  // The floor's thread runs in this process: the generator's own CPU is the rest.
  auto generatorCpu = [&] { return bench::selfCpuNanos() - (floorCpu_ ? floorCpu_() : 0); };
  auto selfCpu0 = generatorCpu();
  auto relayTimes0 = scrapeRelayTimes(seccamNodes());
  auto steal0 = bench::machineStealNanos();
  auto t0 = steady_clock::now();
  runUntil([&] { return steady_clock::now() >= end; }, window + seconds(5));
  auto elapsed = duration_cast<duration<double>>(steady_clock::now() - t0).count();
  auto steal = bench::machineStealNanos() - steal0;
  auto relayTimes = scrapeRelayTimes(seccamNodes());
  auto serverCpu = serversCpu() - serverCpu0;
  auto redisCpuUsed = redisCpu() - redisCpu0;
  auto selfCpu = generatorCpu() - selfCpu0;
  auto deliveredInWindow = delivered_;
  recording_ = false;
  pacer.cancel();
  runUntil([] { return false; }, seconds(1));  // drain
  PacedResult r;
  r.offeredRate = rate;
  r.delivered = deliveredInWindow;
  r.deliveredRate = static_cast<double>(deliveredInWindow) / elapsed;
  r.serverCpuMicrosPerMessage =
      deliveredInWindow ? static_cast<double>(serverCpu) / 1000.0 / static_cast<double>(deliveredInWindow) : 0;
  r.serverCpuPercent = static_cast<double>(serverCpu) / 1e7 / elapsed;
  r.redisCpuMicrosPerMessage =
      deliveredInWindow ? static_cast<double>(redisCpuUsed) / 1000.0 / static_cast<double>(deliveredInWindow) : 0;
  r.loadgenCpuPercent = static_cast<double>(selfCpu) / 1e7 / elapsed;
  r.stealPercent = bench::stealPercent(steal, elapsed);
  r.relayP50 = relayPercentileMicros(relayTimes0, relayTimes, 50);
  r.relayP99 = relayPercentileMicros(relayTimes0, relayTimes, 99);
  r.p50 = latency_.percentileMicros(50);
  r.p99 = latency_.percentileMicros(99);
  r.p999 = latency_.percentileMicros(99.9);
  r.errors = errors_ - errorsBefore;
  auto isClosed = [](const auto& end) { return !end.peer->isOpen(); };
  r.closed = static_cast<std::uint64_t>(std::count_if(cameras_.begin(), cameras_.end(), isClosed) +
                                        std::count_if(viewers_.begin(), viewers_.end(), isClosed));
  // Both ways carry half the candidates: a server (or reference relay) that relays only one way
  // must not pass for one that relays at half the rate.
  if (!flooring_ && (deliveredToCameras_ == 0 || deliveredToCameras_ == deliveredInWindow)) {
    std::fprintf(stderr, "signaling_load: no candidate reached the %s in the window\n",
                 deliveredToCameras_ == 0 ? "cameras" : "viewers");
    ++r.errors;
  }
  return r;
}

json toJson(const auto& r) {
  return json{{"offeredRate", r.offeredRate},       {"deliveredRate", r.deliveredRate},
              {"delivered", r.delivered},           {"serverCpuMicrosPerMessage", r.serverCpuMicrosPerMessage},
              {"serverCpuPercent", r.serverCpuPercent}, {"loadgenCpuPercent", r.loadgenCpuPercent},
              {"latencyP50Micros", r.p50},          {"latencyP99Micros", r.p99},
              {"latencyP999Micros", r.p999},        {"errors", r.errors},
              {"redisCpuMicrosPerMessage", r.redisCpuMicrosPerMessage},
              {"connectionsClosed", r.closed},      {"stealPercent", r.stealPercent},
              {"inRelayP50Micros", r.relayP50},     {"inRelayP99Micros", r.relayP99}};
}

void printPaced(const char* name, const auto& r) {
  std::printf("%-10s offered %8.0f/s delivered %8.0f/s  server %5.2f us/msg (%5.1f%% cpu)  loadgen %5.1f%% cpu  "
              "latency p50 %7.1f us p99 %7.1f us p99.9 %7.1f us  errors %llu closed %llu  steal %4.1f%%\n",
              name, r.offeredRate, r.deliveredRate, r.serverCpuMicrosPerMessage, r.serverCpuPercent,
              r.loadgenCpuPercent, r.p50, r.p99, r.p999, static_cast<unsigned long long>(r.errors),
              static_cast<unsigned long long>(r.closed), r.stealPercent);
  if (r.relayP99 >= 0) {
    std::printf("%-10s in the relay (its own histogram) p50 %7.1f us p99 %7.1f us\n", name, r.relayP50,
                r.relayP99);
  }
  std::fflush(stdout);
}

// The connections of a paced phase (--cameras, each with its viewers), enough for --rate
// within the per-connection rate limit.
int LoadRun::pacedConnections() const {
  int connections = opt_.cameras * (1 + opt_.viewersPerCamera);
  if (opt_.rate / connections > kPerConnectionRateCeiling) {
    throw std::runtime_error("too few connections for the rate: raise --cameras");
  }
  return connections;
}

json LoadRun::phaseFixed() {
  int connections = pacedConnections();
  connectTopology(opt_.cameras, opt_.viewersPerCamera);
  auto r = runPaced(opt_.rate, seconds(opt_.duration));
  closeTopology();
  printPaced(label("fixed").c_str(), r);
  auto j = toJson(r);
  j["connections"] = connections;
  return j;
}

// The floor under the fixed phase: as many connections and the same paced candidates, sent
// through a bare epoll relay (floor_relay.hpp) on the target's CPUs. A relay's own latency and
// CPU a message are what the fixed phase shows over this; the rest is this machine's system
// calls, wake-ups and loopback TCP, which any relay pays. Its "server" CPU is its thread's, in
// the generator's process.
json LoadRun::phaseFloor() {
  stopTarget();
  serverPids_.clear();
  bench::FloorRelay floor(opt_.serverCpus);
  floorCpu_ = [&floor] { return floor.cpuNanos(); };
  int connections = pacedConnections();  // as the fixed phase
  viewers_.resize(static_cast<std::size_t>(connections));
  std::size_t opened = 0, failed = 0;
  for (std::size_t v = 0; v < viewers_.size(); ++v) {
    auto& viewer = viewers_[v];
    viewer.session = "floor-session-" + std::to_string(v);
    viewer.peer = std::make_shared<bench::WsPeer>(ioc_, floor.endpoint(), std::nullopt, "/", bench::WsPeer::Headers{});
    viewer.peer->onMessage([this, v](bench::WsPeer&, std::string_view t) { onViewerMessage(viewers_[v], t); });
    viewer.peer->start([&](bool ok) { ok ? ++opened : ++failed; });
  }
  if (!runUntil([&] { return opened + failed == viewers_.size(); }, seconds(60)) || failed > 0) {
    floorCpu_ = nullptr;
    throw std::runtime_error("floor relay connections failed: " + std::to_string(failed));
  }
  flooring_ = true;
  auto r = runPaced(opt_.rate, seconds(opt_.duration));
  flooring_ = false;
  floorCpu_ = nullptr;
  closeTopology();
  printPaced("floor", r);
  auto j = toJson(r);
  j["connections"] = connections;
  return j;
}

// The most the topology may offer without breaking the per-connection limit: every
// connection at the ceiling. The delivered rate then shows where the server (or the load
// generator, whose CPU is reported beside it) saturates.
json LoadRun::phaseMax() {
  int connections = opt_.maxCameras * (1 + opt_.viewersPerCamera);
  connectTopology(opt_.maxCameras, opt_.viewersPerCamera);
  std::optional<bench::CpuQuota> budget;
  if (opt_.maxCpuQuota > 0) {
    budget.emplace(opt_.maxCpuQuota);
    for (auto pid : serverPids_) budget->add(pid);
  }
  auto r = runPaced(kPerConnectionRateCeiling * connections, seconds(opt_.duration));
  budget.reset();
  closeTopology();
  printPaced(label("max").c_str(), r);
  auto j = toJson(r);
  j["connections"] = connections;
  if (opt_.maxCpuQuota > 0) j["cpuQuotaCores"] = opt_.maxCpuQuota;
  return j;
}

// Idle authenticated viewer connections, spread over loopback source addresses.
// A household's account (one camera), not the load account that owns hundreds: what each
// idle connection costs should not be dominated by the size of its user's camera list.
std::pair<std::string, std::string> LoadRun::household() {
  auto camera = provision(1).at(0);
  if (node_) return {node_->addAccount("household-" + std::to_string(serverStarts_), {camera.cameraId}), camera.cameraId};
  json body{{"username", "household-" + std::to_string(serverStarts_)},
            {"password", kPassword},
            {"cameraId", camera.cameraId},
            {"claimCode", camera.claimCode}};
  auto res = test::httpRequest(api().host(), api().port(), "POST", "/api/register",
                               body.dump(),
                               {{"Origin", api().origin()}, {"Content-Type", "application/json"}});
  if (res.status != 201) throw std::runtime_error("register failed: " + res.body);
  return {test::cookiePair(res.header("set-cookie")), camera.cameraId};
}

json LoadRun::phaseIdle() {
  constexpr int kPerSourceAddress = 5000;
  auto [cookie, cameraId] = household();
  bench::WsPeer::Headers headers{{"Cookie", cookie}, {"Origin", origin_}};
  runUntil([] { return false; }, seconds(1));
  auto rssBefore = bench::processRssBytes(serverPids_.at(0));
  std::vector<std::shared_ptr<bench::WsPeer>> peers;
  std::size_t helloed = 0, failed = 0;
  for (int i = 0; i < opt_.idle; ++i) {
    auto source = asio::ip::make_address_v4("127.0.1." + std::to_string(1 + i / kPerSourceAddress));
    auto peer = std::make_shared<bench::WsPeer>(ioc_, endpoint_, asio::ip::address(source), viewerTarget(cameraId), headers);
    peer->onMessage([&](bench::WsPeer&, std::string_view t) {
      if (messageType(t) == "hello") ++helloed;
    });
    peer->start([&](bool ok) { if (!ok) ++failed; });
    peers.push_back(peer);
    if (i % 500 == 499) runUntil([&] { return helloed + failed >= static_cast<std::size_t>(i + 1); }, seconds(30));
  }
  runUntil([&] { return helloed + failed >= peers.size(); }, seconds(60));
  runUntil([] { return false; }, seconds(2));
  auto rssAfter = bench::processRssBytes(serverPids_.at(0));
  double perConnection = helloed ? (static_cast<double>(rssAfter) - static_cast<double>(rssBefore)) / static_cast<double>(helloed) : 0;
  std::printf("%-10s %zu connections (failed %zu): server RSS %.1f MiB -> %.1f MiB, %.2f KiB per connection\n",
              label("idle").c_str(), helloed, failed, rssBefore / 1048576.0, rssAfter / 1048576.0, perConnection / 1024.0);
  std::fflush(stdout);
  for (auto& p : peers) p->close();
  runUntil([] { return false; }, seconds(2));
  return json{{"connections", helloed}, {"failed", failed}, {"rssBeforeBytes", rssBefore},
              {"rssAfterBytes", rssAfter}, {"bytesPerConnection", perConnection}};
}

// Relay latency at a modest rate, alone and then while sign-ins hash passwords.
json LoadRun::phaseStorm() {
  int cams = std::max(1, static_cast<int>(opt_.stormRelayRate / kPerConnectionRateCeiling / (1 + opt_.viewersPerCamera)) + 1);
  connectTopology(cams, opt_.viewersPerCamera);
  auto quiet = runPaced(opt_.stormRelayRate, seconds(opt_.duration));
  printPaced("quiet", quiet);

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  constexpr int kThreads = 16;
  auto interval = duration_cast<nanoseconds>(duration<double>(kThreads / opt_.signinRate));
  // Sign-ins to an account of their own: each opens a session, and past the per-account cap
  // the oldest end, which must not be the load account's (its viewers would be signed out).
  household();
  std::string body = json{{"username", "household-" + std::to_string(serverStarts_)}, {"password", kPassword}}.dump();
  test::Headers headers{{"Origin", api().origin()}, {"Content-Type", "application/json"}};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto next = steady_clock::now() + interval * t / kThreads;
      while (!stop) {
        std::this_thread::sleep_until(next);
        next += interval;
        auto res = test::httpRequest(api().host(), api().port(), "POST", "/api/login", body, headers);
        (res.status == 200 ? ok : failed)++;
      }
    });
  }
  auto t0 = steady_clock::now();
  auto storm = runPaced(opt_.stormRelayRate, seconds(opt_.duration));
  auto elapsed = duration_cast<duration<double>>(steady_clock::now() - t0).count();
  stop = true;
  for (auto& th : threads) th.join();
  printPaced("storm", storm);
  double signinsPerSecond = ok / elapsed;
  std::printf("storm      sign-ins completed %.1f/s (failed %d), p99 ratio storm/quiet %.2f\n",
              signinsPerSecond, failed.load(), quiet.p99 > 0 ? storm.p99 / quiet.p99 : 0.0);
  closeTopology();
  return json{{"quiet", toJson(quiet)}, {"storm", toJson(storm)},
              {"signinsPerSecond", signinsPerSecond}, {"signinFailures", failed.load()},
              {"p99Ratio", quiet.p99 > 0 ? storm.p99 / quiet.p99 : 0.0}};
}

// Camera and viewers on node 0 (the bus carries nothing of theirs), or viewers on node 1 (every
// message crosses Redis): server CPU is the three nodes' together, Redis's beside it.
json LoadRun::phaseClusterRelay(bool crossNode) {
  int connections = pacedConnections();
  auto& viewerNode = cluster_->node(crossNode ? 1 : 0);
  viewerEndpoint_ = {asio::ip::make_address(viewerNode.host()), viewerNode.port()};
  viewerOrigin_ = viewerNode.origin();
  connectTopology(opt_.cameras, opt_.viewersPerCamera);
  auto r = runPaced(opt_.rate, seconds(opt_.duration));
  closeTopology();
  printPaced(crossNode ? "cross-node" : "same-node", r);
  std::printf("%-10s Redis %5.2f us/msg\n", crossNode ? "cross-node" : "same-node", r.redisCpuMicrosPerMessage);
  auto j = toJson(r);
  j["connections"] = connections;
  return j;
}

// Camera and viewers on one node and across nodes in the same window: every camera on node 0,
// half of its viewers on node 0 and half on node 1. Both halves meet the same moments of this
// machine's noise, so the difference between their latencies is what crossing Redis adds,
// which two phases run one after the other cannot show on a noisy machine. The CPU figure is
// the mix's.
json LoadRun::phaseClusterMixed() {
  int connections = pacedConnections();
  if (opt_.viewersPerCamera < 2) throw std::runtime_error("cluster-mixed needs two viewers a camera or more");
  auto& other = cluster_->node(1);
  crossedViewerEndpoint_ = asio::ip::tcp::endpoint(asio::ip::make_address(other.host()), other.port());
  crossedViewerOrigin_ = other.origin();
  connectTopology(opt_.cameras, opt_.viewersPerCamera);
  auto r = runPaced(opt_.rate, seconds(opt_.duration));
  double crossedP50 = latencyCrossed_.percentileMicros(50), crossedP99 = latencyCrossed_.percentileMicros(99),
         crossedP999 = latencyCrossed_.percentileMicros(99.9);
  closeTopology();
  crossedViewerEndpoint_.reset();
  printPaced("mixed", r);
  std::printf("mixed      same node p50 %7.1f us p99 %7.1f us p99.9 %7.1f us | across nodes p50 %7.1f us p99 %7.1f us "
              "p99.9 %7.1f us | crossing adds p50 %+.1f us, p99 %+.1f us\n",
              r.p50, r.p99, r.p999, crossedP50, crossedP99, crossedP999, crossedP50 - r.p50, crossedP99 - r.p99);
  std::fflush(stdout);
  auto j = toJson(r);
  j["connections"] = connections;
  j["sameNode"] = {{"latencyP50Micros", r.p50}, {"latencyP99Micros", r.p99}, {"latencyP999Micros", r.p999}};
  j["crossNode"] = {{"latencyP50Micros", crossedP50}, {"latencyP99Micros", crossedP99}, {"latencyP999Micros", crossedP999}};
  j["addedP99Micros"] = crossedP99 - r.p99;
  return j;
}

// Authenticated cameras that send nothing, spread round robin over the nodes: what each costs a
// node in memory, and what keeping their presence (a refresh every 2 s) costs in CPU.
json LoadRun::phaseClusterIdle() {
  constexpr int kPerSourceAddress = 5000;
  auto identities = provision(opt_.idleCameras);
  runUntil([] { return false; }, seconds(1));
  std::vector<std::uint64_t> rssBefore;
  for (auto pid : serverPids_) rssBefore.push_back(bench::processRssBytes(pid));
  cameras_.resize(identities.size());
  std::size_t failed = 0;
  for (std::size_t i = 0; i < identities.size(); ++i) {
    auto& cam = cameras_[i];
    cam.identity = identities[i];
    auto& node = cluster_->node(i % Options::kClusterNodes);
    auto source = asio::ip::make_address_v4("127.0.1." + std::to_string(1 + i / kPerSourceAddress));
    cam.peer = std::make_shared<bench::WsPeer>(ioc_, asio::ip::tcp::endpoint{asio::ip::make_address(node.host()), node.port()},
                                               asio::ip::address(source), cameraTarget(cam.identity.cameraId),
                                               bench::WsPeer::Headers{});
    cam.peer->onMessage([this, i](bench::WsPeer&, std::string_view t) { onCameraMessage(cameras_[i], t); });
    cam.peer->start([&](bool ok) { if (!ok) ++failed; });
    if (i % 500 == 499) {
      runUntil([&] { return std::all_of(cameras_.begin(), cameras_.begin() + static_cast<long>(i + 1),
                                        [](auto& c) { return c.ready; }) || failed > 0; }, seconds(60));
    }
  }
  auto ready = [&] { return static_cast<std::size_t>(std::count_if(cameras_.begin(), cameras_.end(), [](auto& c) { return c.ready; })); };
  runUntil([&] { return ready() + failed >= cameras_.size(); }, seconds(60));
  runUntil([] { return false; }, seconds(3));
  std::vector<std::uint64_t> cpu0;
  for (auto pid : serverPids_) cpu0.push_back(bench::processCpuNanos(pid));
  auto redisCpu0 = bench::processCpuNanos(cluster_->redis().process().pid());
  auto t0 = steady_clock::now();
  runUntil([] { return false; }, seconds(opt_.duration));
  auto elapsed = duration_cast<duration<double>>(steady_clock::now() - t0).count();
  json nodes = json::array();
  int perNode = static_cast<int>(ready()) / Options::kClusterNodes;
  for (std::size_t n = 0; n < serverPids_.size(); ++n) {
    auto rss = bench::processRssBytes(serverPids_[n]);
    double perCamera = perNode ? (static_cast<double>(rss) - static_cast<double>(rssBefore[n])) / perNode : 0;
    double cpuPercent = static_cast<double>(bench::processCpuNanos(serverPids_[n]) - cpu0[n]) / 1e7 / elapsed;
    std::printf("idle-cams  node %zu: %d cameras, RSS %.1f MiB -> %.1f MiB (%.2f KiB a camera), %.2f%% cpu idle\n", n,
                perNode, rssBefore[n] / 1048576.0, rss / 1048576.0, perCamera / 1024.0, cpuPercent);
    nodes.push_back(json{{"cameras", perNode}, {"rssBeforeBytes", rssBefore[n]}, {"rssAfterBytes", rss},
                         {"bytesPerCamera", perCamera}, {"cpuPercent", cpuPercent}});
  }
  double redisPercent = static_cast<double>(bench::processCpuNanos(cluster_->redis().process().pid()) - redisCpu0) / 1e7 / elapsed;
  auto keys = cluster_->redis().cli({"DBSIZE"});
  std::printf("idle-cams  %zu cameras ready (failed %zu); Redis %.2f%% cpu, %s keys\n", ready(), failed, redisPercent, keys.c_str());
  std::fflush(stdout);
  for (auto& c : cameras_) c.peer->close();
  runUntil([] { return false; }, seconds(2));
  cameras_.clear();
  return json{{"nodes", nodes}, {"ready", ready()}, {"failed", failed}, {"redisCpuPercent", redisPercent}};
}

// Sign-ins as fast as 16 clients get answers, all to node 0, then round robin over the three
// nodes: password hashing is the cost, so more nodes add what more cores add.
json LoadRun::phaseClusterSignin() {
  household();
  std::string body = json{{"username", "household-" + std::to_string(serverStarts_)}, {"password", kPassword}}.dump();
  auto measure = [&](int nodes) {
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> threads;
    constexpr int kThreads = 16;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto& node = cluster_->node(t % nodes);
        test::Headers headers{{"Origin", node.origin()}, {"Content-Type", "application/json"}};
        while (!stop) {
          auto res = test::httpRequest(node.host(), node.port(), "POST", "/api/login", body, headers);
          (res.status == 200 ? ok : failed)++;
        }
      });
    }
    auto t0 = steady_clock::now();
    std::this_thread::sleep_for(seconds(opt_.duration));
    stop = true;
    for (auto& th : threads) th.join();
    auto elapsed = duration_cast<duration<double>>(steady_clock::now() - t0).count();
    double rate = ok / elapsed;
    std::printf("sign-ins   %d node(s): %.1f/s (refused or failed %d)\n", nodes, rate, failed.load());
    std::fflush(stdout);
    return json{{"nodes", nodes}, {"signinsPerSecond", rate}, {"failed", failed.load()}};
  };
  return json{{"oneNode", measure(1)}, {"threeNodes", measure(Options::kClusterNodes)}};
}

// SecCam's figures over the Node relay's, for the phases that ran against both (issue 12's
// targets: CPU a message <= 0.5, saturation >= 2).
json compareWithNode(const json& out) {
  json ratios = json::object();
  auto ratio = [&](const char* phase, const char* field, const char* name, const char* what) {
    std::string node = std::string("node") + static_cast<char>(std::toupper(phase[0])) + (phase + 1);
    if (!out.contains(phase) || !out.contains(node)) return;
    double ours = out[phase][field].get<double>(), theirs = out[node][field].get<double>();
    if (theirs <= 0) return;
    ratios[name] = ours / theirs;
    std::printf("seccam/node %-28s %6.2fx  (%.2f against %.2f)\n", what, ours / theirs, ours, theirs);
  };
  ratio("fixed", "serverCpuMicrosPerMessage", "cpuPerMessage", "server CPU a message (fixed)");
  // A reference that cannot keep up reads and writes in batches: its CPU a message is then its
  // cheapest, not its cost at the offered rate, and the ratio above flatters it.
  if (out.contains("nodeFixed") && out["nodeFixed"]["serverCpuPercent"].get<double>() >= 90 &&
      out["nodeFixed"]["latencyP50Micros"].get<double>() >= 1000) {
    std::printf("seccam/node note: the Node relay was saturated at this rate (%.0f%% of a CPU, p50 %.1f ms): "
                "its CPU a message is its batched best\n",
                out["nodeFixed"]["serverCpuPercent"].get<double>(),
                out["nodeFixed"]["latencyP50Micros"].get<double>() / 1000);
    ratios["nodeSaturatedInFixed"] = true;
  }
  ratio("fixed", "latencyP99Micros", "latencyP99", "latency p99 (fixed)");
  ratio("max", "deliveredRate", "saturationRate", "saturation rate (max)");
  ratio("max", "serverCpuMicrosPerMessage", "cpuPerMessageAtMax", "server CPU a message (max)");
  ratio("idle", "bytesPerConnection", "idleBytesPerConnection", "memory an idle connection");
  // What each adds to the CPU a message over the floor (issue 12's profile: most of a message
  // is the kernel's, which both pay).
  if (out.contains("floor") && out.contains("fixed") && out.contains("nodeFixed")) {
    double floor = out["floor"]["serverCpuMicrosPerMessage"].get<double>();
    double ours = out["fixed"]["serverCpuMicrosPerMessage"].get<double>() - floor;
    double theirs = out["nodeFixed"]["serverCpuMicrosPerMessage"].get<double>() - floor;
    if (theirs > 0) {
      ratios["cpuPerMessageOverFloor"] = ours / theirs;
      std::printf("seccam/node %-28s %6.2fx  (+%.2f against +%.2f over the floor's %.2f)\n",
                  "CPU a message over the floor", ours / theirs, ours, theirs, floor);
    }
  }
  std::fflush(stdout);
  return ratios;
}

int LoadRun::run() {
  json out{{"date", std::time(nullptr)}, {"hardwareThreads", std::thread::hardware_concurrency()}};
  if (!opt_.serverCpus.empty()) out["serverCpus"] = opt_.serverCpus;
  for (auto& phase : opt_.phases) {
    if (phase == "floor" || phase == "echo") {  // "echo": its name before it relayed
      out["floor"] = phaseFloor();
      continue;
    }
    if (isNodePhase(phase)) {
      startNodeRelay();
      auto base = phase.substr(kNodePrefix.size());
      if (base == "fixed") out["nodeFixed"] = phaseFixed();
      else if (base == "max") out["nodeMax"] = phaseMax();
      else if (base == "idle") out["nodeIdle"] = phaseIdle();
      else throw std::runtime_error("unknown phase " + phase + " (the Node relay runs fixed, max and idle)");
      continue;
    }
    startServer(isClusterPhase(phase));
    if (phase == "fixed") out["fixed"] = phaseFixed();
    else if (phase == "max") out["max"] = phaseMax();
    else if (phase == "idle") out["idle"] = phaseIdle();
    else if (phase == "storm") out["storm"] = phaseStorm();
    else if (phase == "cluster-same") out["clusterSameNode"] = phaseClusterRelay(false);
    else if (phase == "cluster-cross") out["clusterCrossNode"] = phaseClusterRelay(true);
    else if (phase == "cluster-mixed") out["clusterMixed"] = phaseClusterMixed();
    else if (phase == "cluster-idle") out["clusterIdle"] = phaseClusterIdle();
    else if (phase == "cluster-signin") out["clusterSignin"] = phaseClusterSignin();
    else throw std::runtime_error("unknown phase " + phase);
  }
  stopTarget();
  if (auto comparison = compareWithNode(out); !comparison.empty()) out["seccamOverNode"] = comparison;
  std::ofstream(opt_.jsonPath) << out.dump(2) << "\n";
  std::printf("results written to %s\n", opt_.jsonPath.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"SecCam signaling load generator: drives a real seccam-server on loopback"};
  app.add_option("--cameras", opt.cameras, "camera connections for the fixed-rate phase")->capture_default_str();
  app.add_option("--viewers-per-camera", opt.viewersPerCamera, "viewer connections per camera")->capture_default_str();
  app.add_option("--rate", opt.rate, "relayed messages a second in the fixed-rate phase")->capture_default_str();
  app.add_option("--duration", opt.duration, "seconds measured per phase")->capture_default_str();
  app.add_option("--tick-us", opt.tickMicros,
                 "pacer period in microseconds (each tick sends a burst of what is due)")
      ->check(CLI::Range(50, 100000))
      ->capture_default_str();
  app.add_option("--max-cameras", opt.maxCameras, "camera connections for the saturation phase")->capture_default_str();
  app.add_option("--idle", opt.idle, "idle viewer connections for the memory phase")->capture_default_str();
  app.add_option("--signin-rate", opt.signinRate, "sign-ins a second during the storm")->capture_default_str();
  app.add_option("--storm-relay-rate", opt.stormRelayRate, "relayed messages a second during the storm phase")->capture_default_str();
  app.add_option("--idle-cameras", opt.idleCameras, "idle cameras over the three nodes (cluster-idle)")->capture_default_str();
  auto* phases = app.add_option("--phases", opt.phases,
                                "phases to run: fixed max idle storm; floor (the fixed phase through a bare epoll "
                                "relay: the floor of latency and CPU a message); node-fixed node-max node-idle (the same "
                                "against the Node reference relay); cluster-same cluster-cross cluster-mixed cluster-idle "
                                "cluster-signin (three nodes and Redis). Default: fixed,max,idle,storm and the "
                                "node phases when the relay's dependencies are installed")
                    ->delimiter(',');
  app.add_option("--json", opt.jsonPath, "where to write the results")->capture_default_str();
  app.add_option("--server-arg", opt.serverArgs, "extra argument for seccam-server serve (repeatable)");
  std::string serverCpus;
  app.add_option("--server-cpus", serverCpus,
                 "CPUs the target runs on (\"0\", \"0-1\"), every thread of it; the generator then runs on "
                 "the others. seccam-server starts one IO thread a CPU it may use");
  app.add_option("--max-cpu-quota", opt.maxCpuQuota,
                 "the target's CPU budget in the saturation phases, in cores (a cgroup CPU quota; needs root)")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);
  try {
    if (!serverCpus.empty()) {
      opt.serverCpus = bench::parseCpuList(serverCpus);
      auto rest = bench::otherCpus(opt.serverCpus);
      if (rest.empty()) throw std::invalid_argument("--server-cpus must leave a CPU to the generator");
      bench::pinCallingThread(rest);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signaling_load: %s\n", e.what());
    return 1;
  }
  auto nodeMissing = bench::NodeRelay::unavailable();
  if (phases->count() == 0) {
    if (nodeMissing) {
      std::printf("node phases left out: %s\n", nodeMissing->c_str());
    } else {
      opt.phases.insert(opt.phases.end(), {"node-fixed", "node-max", "node-idle"});
    }
  } else if (nodeMissing && std::any_of(opt.phases.begin(), opt.phases.end(), isNodePhase)) {
    std::fprintf(stderr, "signaling_load: cannot run the node phases: %s\n", nodeMissing->c_str());
    return 1;
  }

  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  crypto::initialize();
  try {
    return LoadRun(opt).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signaling_load: %s\n", e.what());
    return 1;
  }
}
