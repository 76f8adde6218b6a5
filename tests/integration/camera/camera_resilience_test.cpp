// The camera on its own: reconnecting after a server restart, a refused key, clean shutdown,
// relay-only viewers through a real coturn, and the faults viewers must be told about: the
// camera killed, and the network between camera and server cut.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "camera_world.hpp"
#include "support/clients.hpp"

using namespace seccam::test;

namespace {

// The server under test pings every second, so that a camera that stops answering is dropped
// after two missed pings in about two seconds rather than forty.
constexpr auto kPingInterval = std::chrono::seconds(1);
// PROTOCOL.md: a peer that misses two pings is dropped. Two intervals, one more for where
// the cut falls between pings, and some room for a busy machine.
constexpr auto kToldWithin = 3 * kPingInterval + std::chrono::seconds(2);
// The camera notices a dead connection by itself within its idle timeout (45 s), and its
// reconnection backoff is capped at 10 s.
constexpr auto kBackWithin = std::chrono::seconds(60);

std::vector<std::string> shortPings() {
  return {"--signaling-ping-interval", std::to_string(kPingInterval.count())};
}

// A viewer WebSocket of the world's account, read all the time on a thread of its own (so it
// answers the server's pings), keeping every message with the time it arrived.
class Watcher {
 public:
  explicit Watcher(CameraWorld& world) {
    auto& server = world.server();
    connected_ = ws_.connect(server.host(), server.port(), "/ws",
                             {{"Cookie", world.cookie()}, {"Origin", server.origin()}});
    if (connected_) reader_ = std::thread([this] { read(); });
  }
  ~Watcher() {
    stop_ = true;
    if (reader_.joinable()) reader_.join();
  }
  bool connected() const { return connected_; }

  // When the first `status` push for `camera` with this `online` value arrived after `since`.
  std::optional<std::chrono::steady_clock::time_point> statusAt(
      const std::string& camera, bool online, std::chrono::steady_clock::time_point since) {
    std::lock_guard lock(mutex_);
    for (const auto& [at, m] : messages_) {
      if (at >= since && m.value("type", "") == "status" && m.value("camera", "") == camera &&
          m.value("online", !online) == online)
        return at;
    }
    return std::nullopt;
  }
  bool waitStatus(const std::string& camera, bool online, std::chrono::steady_clock::time_point since,
                  std::chrono::milliseconds timeout) {
    return waitFor([&] { return statusAt(camera, online, since).has_value(); }, timeout);
  }
  std::string dump() {
    std::lock_guard lock(mutex_);
    std::string out = "\n--- watcher ---\n";
    for (const auto& [at, m] : messages_) out += m.dump() + "\n";
    return out;
  }

 private:
  void read() {
    while (!stop_ && !ws_.closed()) {
      auto text = ws_.receive(std::chrono::milliseconds(100));
      if (!text) continue;
      auto m = nlohmann::json::parse(*text, nullptr, false);
      std::lock_guard lock(mutex_);
      messages_.emplace_back(std::chrono::steady_clock::now(), std::move(m));
    }
  }

  WsClient ws_;
  bool connected_ = false;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  std::mutex mutex_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, nlohmann::json>> messages_;
};

// The camera's way to the server, cut with nftables inside the test's namespace: the camera
// connects to a port of its own that is redirected to the server's, and cutting drops every
// packet of those connections both ways (and new ones), without closing anything. Viewers
// use the server's port directly and are not touched.
class CameraLink {
 public:
  explicit CameraLink(unsigned short serverPort) : port_(freePort()) {
    nft({"add", "table", "ip", kTable});
    nft({"add", "chain", "ip", kTable, "to_server",
         "{ type nat hook output priority -100; policy accept; }"});
    nft({"add", "rule", "ip", kTable, "to_server", "ip", "daddr", "127.0.0.1", "tcp", "dport",
         std::to_string(port_), "redirect", "to", ":" + std::to_string(serverPort)});
    nft({"add", "chain", "ip", kTable, "cut",
         "{ type filter hook output priority 0; policy accept; }"});
  }
  ~CameraLink() { runProgram({kNft, "delete", "table", "ip", kTable}); }

  // The camera WebSocket URL through this link.
  std::string cameraUrl() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/ws/camera"; }
  void cut() {
    nft({"add", "rule", "ip", kTable, "cut", "meta", "l4proto", "tcp", "ct", "original",
         "proto-dst", std::to_string(port_), "drop"});
  }
  void restore() { nft({"flush", "chain", "ip", kTable, "cut"}); }

 private:
  static constexpr const char* kNft = "/usr/sbin/nft";
  static constexpr const char* kTable = "seccam_camera_link";
  static void nft(std::vector<std::string> args) {
    args.insert(args.begin(), kNft);
    auto result = runProgram(args);
    if (result.exitCode != 0) throw std::runtime_error("nft failed: " + result.output);
  }
  unsigned short port_;
};

// The viewer process's session ended with this `bye` reason (it prints "bye REASON", exits 3).
::testing::AssertionResult endedWithBye(ChildProcess& viewer, const std::string& reason,
                                        std::chrono::milliseconds timeout) {
  auto status = viewer.wait(timeout);
  if (!status) return ::testing::AssertionFailure() << "still running" << show(viewer);
  if (!(WIFEXITED(*status) && WEXITSTATUS(*status) == 3) ||
      linesStartingWith(viewer.log(), "bye " + reason).empty())
    return ::testing::AssertionFailure() << "status " << *status << show(viewer);
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(CameraResilience, ComesBackOnlineByItselfAfterAServerRestart) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto before = world.startViewer();
  ASSERT_TRUE(world.waitFrames(before, 5)) << show(before);

  world.server().restart();
  ASSERT_TRUE(world.waitAuthenticated(camera, 2)) << show(camera);
  EXPECT_FALSE(cameraEvents(camera, "reconnecting").empty()) << show(camera);
  auto after = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = after.wait(std::chrono::seconds(45));
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(after) << show(camera);
}

TEST(CameraResilience, WrongDeviceKeyIsRefusedAndSaidClearly) {
  CameraWorld world;
  auto camera = world.startCamera({"--device-key", std::string(64, '7')});
  ASSERT_TRUE(waitEvents(camera, "auth_refused", 1, withField("closeCode", 4401))) << show(camera);
  EXPECT_TRUE(cameraEvents(camera, "connected").empty()) << show(camera);
  EXPECT_TRUE(camera.running());  // it keeps trying, with backoff
  EXPECT_EQ(camera.log().find(std::string(64, '7')), std::string::npos) << "the key was logged";
}

TEST(CameraResilience, StopsCleanlyOnSigterm) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer();
  ASSERT_TRUE(world.waitFrames(viewer, 5)) << show(viewer);
  auto status = camera.stop(SIGTERM, std::chrono::seconds(10));
  ASSERT_TRUE(status) << show(camera);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "status " << *status << show(camera);
  EXPECT_EQ(cameraEvents(camera, "stopped").size(), 1u) << show(camera);
}

TEST(CameraResilience, RelayOnlyReceiverGetsFramesThroughCoturn) {
  CameraWorld world(/*withTurn=*/true);
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--relay-only", "--frames", "20", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera) << show(world.coturn());
  EXPECT_NE(viewer.log().find("turn servers 1"), std::string::npos) << show(viewer);
  // The media really went through coturn: it allocated a relay for the viewer.
  EXPECT_NE(world.coturn().log().find("ALLOCATE"), std::string::npos) << show(world.coturn());
}

TEST(CameraResilience, KilledCameraIsReportedOfflineAndWatchedAgainWhenItRestarts) {
  CameraWorld world(false, {}, shortPings());
  const auto& id = world.camera().cameraId;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  Watcher watcher(world);
  ASSERT_TRUE(watcher.connected());
  auto viewer = world.startViewer();
  ASSERT_TRUE(world.waitFrames(viewer, 5)) << show(viewer);

  auto killedAt = std::chrono::steady_clock::now();
  camera.stop(SIGKILL);
  // The viewer's socket is told the camera is offline, and its session ends.
  ASSERT_TRUE(watcher.waitStatus(id, false, killedAt, kToldWithin)) << watcher.dump();
  EXPECT_TRUE(endedWithBye(viewer, "camera_offline", kToldWithin));

  // Restarted (as its service does), it is online again and a new viewer gets video.
  auto restartedAt = std::chrono::steady_clock::now();
  auto again = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(again)) << show(again);
  EXPECT_TRUE(watcher.waitStatus(id, true, restartedAt, kLogTimeout)) << watcher.dump();
  auto after = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = after.wait(std::chrono::seconds(45));
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(after) << show(again);
}

TEST(CameraResilience, CutNetworkIsReportedWithinTwoPingsAndRecoversByItselfWhenRestored) {
  CameraWorld world(false, {}, shortPings());
  const auto& id = world.camera().cameraId;
  CameraLink link(world.server().port());
  auto camera = world.startCamera({"--server", link.cameraUrl()});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  Watcher watcher(world);
  ASSERT_TRUE(watcher.connected());
  auto viewer = world.startViewer();
  ASSERT_TRUE(world.waitFrames(viewer, 5)) << show(viewer);

  auto cutAt = std::chrono::steady_clock::now();
  link.cut();
  ASSERT_TRUE(watcher.waitStatus(id, false, cutAt, kToldWithin)) << watcher.dump();
  auto toldAfter = *watcher.statusAt(id, false, cutAt) - cutAt;
  RecordProperty("told_after_ms", static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(toldAfter).count()));
  EXPECT_TRUE(endedWithBye(viewer, "camera_offline", kToldWithin));
  EXPECT_TRUE(camera.running()) << show(camera);

  // Nothing is restarted: once the network is back, the camera finds its old connection dead,
  // reconnects, and is online again; a new viewer gets video.
  auto restoredAt = std::chrono::steady_clock::now();
  link.restore();
  ASSERT_TRUE(world.waitAuthenticated(camera, 2) || waitFor([&] {
    return cameraEvents(camera, "connected").size() >= 2;
  }, kBackWithin)) << show(camera);
  EXPECT_TRUE(watcher.waitStatus(id, true, restoredAt, kLogTimeout)) << watcher.dump();
  auto after = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = after.wait(std::chrono::seconds(45));
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(after) << show(camera);
}
