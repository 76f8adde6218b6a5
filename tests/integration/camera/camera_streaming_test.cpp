// Streaming from a real camera process to real receiving peers through a real server.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>

#include "camera_world.hpp"
#include "common/protocol.hpp"
#include "support/clients.hpp"

using namespace seccam::test;

namespace {
// The first bye a viewer connection receives within a few seconds (nothing: an empty one).
seccam::protocol::Bye nextBye(WsClient& ws) {
  for (int i = 0; i < 20; ++i) {
    auto message = ws.receive(std::chrono::seconds(2));
    if (!message) continue;
    auto parsed = seccam::protocol::parseServerToViewer(*message);
    if (parsed && std::holds_alternative<seccam::protocol::Bye>(*parsed.message))
      return std::get<seccam::protocol::Bye>(*parsed.message);
  }
  return {};
}
}  // namespace

TEST(CameraStreaming, ReceiverGetsDecodedFramesOfTheConfiguredSize) {
  CameraWorld world;
  auto camera = world.startCamera({"--width", "320", "--height", "240"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--frames", "30", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera);
  auto frames = linesStartingWith(viewer.log(), "frames ");
  ASSERT_FALSE(frames.empty());
  for (const auto& line : frames) EXPECT_NE(line.find(" 320x240"), std::string::npos) << line;
  EXPECT_EQ(cameraEvents(camera, "viewer_joined", withField("codec", "H.264")).size(), 1u)
      << show(camera);
  EXPECT_EQ(cameraEvents(camera, "viewer_answered").size(), 1u) << show(camera);
}

TEST(CameraStreaming, FourReceiversShareOneEncoderAndOneLeavingDoesNotStopTheOthers) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  std::vector<ChildProcess> viewers;
  for (int i = 0; i < 2; ++i)
    viewers.push_back(world.startViewer({}, "viewer" + std::to_string(i)));
  for (auto& v : viewers) ASSERT_TRUE(world.waitFrames(v, 10)) << show(v) << show(camera);
  for (int i = 2; i < 4; ++i)
    viewers.push_back(world.startViewer({}, "viewer" + std::to_string(i)));
  for (auto& v : viewers) {
    ASSERT_TRUE(world.waitFrames(v, 10)) << show(viewers[0]) << show(viewers[1]) << show(viewers[2])
                                         << show(viewers[3]) << show(camera);
  }

  // One encoder for all four: started once, and every answer reports one.
  EXPECT_EQ(cameraEvents(camera, "encoder_started").size(), 1u) << show(camera);
  auto answers = cameraEvents(camera, "viewer_answered");
  EXPECT_EQ(answers.size(), 4u) << show(camera);
  for (const auto& answer : answers) EXPECT_EQ(answer["encoders"], 1) << answer.dump();

  viewers[0].stop(SIGKILL);
  // The server tells the camera that the viewer's connection closed.
  ASSERT_TRUE(waitEvents(camera, "viewer_left", 1, withField("viewers", 3))) << show(camera);
  for (std::size_t i = 1; i < viewers.size(); ++i) {
    int before = framesDecoded(viewers[i].log());
    EXPECT_TRUE(world.waitFrames(viewers[i], before + 20)) << show(viewers[i]);
  }
}

TEST(CameraStreaming, LatencyProbeIsDecodedFromReceivedFrames) {
  CameraWorld world;
  auto camera = world.startCamera({"--latency-probe"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--latency-probe"});
  ASSERT_TRUE(waitFor([&] { return linesStartingWith(viewer.log(), "latency-ms ").size() >= 3; },
                      kFramesTimeout))
      << show(viewer) << show(camera);
  auto readings = linesStartingWith(viewer.log(), "latency-ms ");
  long long previousStamp = 0;
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  for (const auto& line : readings) {
    long long stamp = std::atoll(line.substr(line.find(" stamp ") + 7).c_str());
    // A wall-clock time of this run (not a speed check): the stamp was really decoded.
    EXPECT_LT(std::llabs(now - stamp), 60'000) << line;
    EXPECT_GT(stamp, previousStamp) << line;
    previousStamp = stamp;
  }
}

TEST(CameraStreaming, ViewersBeyondMaxViewersGetTooManyViewers) {
  CameraWorld world;
  auto camera = world.startCamera({"--max-viewers", "1"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto first = world.startViewer();
  ASSERT_TRUE(world.waitFrames(first, 5)) << show(first) << show(camera);
  auto second = world.startViewer({"--timeout", "20"});
  auto status = second.wait(std::chrono::seconds(25));
  ASSERT_TRUE(status) << show(second);
  EXPECT_NE(second.log().find("bye too_many_viewers"), std::string::npos) << show(second);
  int before = framesDecoded(first.log());
  EXPECT_TRUE(world.waitFrames(first, before + 10)) << show(first);
}

TEST(CameraStreaming, GarbageOfferGetsByeWithReasonAndOthersKeepStreaming) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer();
  ASSERT_TRUE(world.waitFrames(viewer, 5)) << show(viewer) << show(camera);

  WsClient ws;
  ASSERT_TRUE(ws.connect(world.server().host(), world.server().port(), "/ws",
                         {{"Cookie", world.cookie()}, {"Origin", world.server().origin()}}));
  ASSERT_TRUE(ws.receive());  // hello
  const std::pair<std::string, std::string> offers[] = {
      {"this is not sdp", "bad_sdp"}, {"v=0\r\nm=audio 9 RTP/AVP 0\r\n", "unsupported_codec"}};
  for (const auto& [sdp, reason] : offers) {
    std::string session = sdp.size() > 20 ? "garbage-audio-only" : "garbage-not-sdp";
    ws.send(seccam::protocol::serialize(
        seccam::protocol::Offer{session, world.camera().cameraId, sdp, {}}));
    auto bye = nextBye(ws);
    EXPECT_EQ(bye.session, session) << sdp << show(camera);
    EXPECT_EQ(bye.reason, reason) << sdp << show(camera);
  }
  int before = framesDecoded(viewer.log());
  EXPECT_TRUE(world.waitFrames(viewer, before + 10)) << show(viewer);
}

// A viewer whose branch cannot be built (here: the RTP payloaders' plugin is missing) ends
// with bye `internal`; the camera itself keeps running and connected.
TEST(CameraStreaming, ViewerWhoseBranchCannotBeBuiltGetsByeInternal) {
  CameraWorld world;
  // A plugin directory with every system plugin but libgstrtp (rtph264pay, rtpvp8pay), and a
  // registry of its own, for the camera only.
  namespace fs = std::filesystem;
  fs::path plugins = fs::path(world.dir()) / "plugins-without-rtp";
  fs::create_directories(plugins);
  for (const auto& entry : fs::directory_iterator(SECCAM_GST_PLUGINS_DIR)) {
    if (entry.path().filename() != "libgstrtp.so")
      fs::create_symlink(entry.path(), plugins / entry.path().filename());
  }
  ::setenv("GST_PLUGIN_SYSTEM_PATH_1_0", plugins.c_str(), 1);
  ::setenv("GST_REGISTRY_1_0", (fs::path(world.dir()) / "registry.bin").c_str(), 1);
  auto camera = world.startCamera();
  ::unsetenv("GST_PLUGIN_SYSTEM_PATH_1_0");
  ::unsetenv("GST_REGISTRY_1_0");
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);

  WsClient ws;
  ASSERT_TRUE(ws.connect(world.server().host(), world.server().port(), "/ws",
                         {{"Cookie", world.cookie()}, {"Origin", world.server().origin()}}));
  ASSERT_TRUE(ws.receive());  // hello
  const std::string session = "no-payloader";
  const std::string sdp =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 108\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n"
      "a=rtpmap:108 H264/90000\r\na=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n";
  ws.send(seccam::protocol::serialize(
      seccam::protocol::Offer{session, world.camera().cameraId, sdp, {}}));
  auto bye = nextBye(ws);
  EXPECT_EQ(bye.session, session) << show(camera);
  EXPECT_EQ(bye.reason, seccam::protocol::wireName(seccam::protocol::ByeReason::Internal))
      << show(camera);
  EXPECT_TRUE(camera.running()) << show(camera);
  EXPECT_EQ(cameraEvents(camera, "connected").size(), 1u) << show(camera);
  EXPECT_TRUE(waitEvents(camera, "viewer_left", 1, withField("reason", "internal")))
      << show(camera);
}

TEST(CameraStreaming, Vp8OnlyOfferIsAnsweredWithVp8) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--codec", "vp8", "--frames", "10", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera);
  auto joined = cameraEvents(camera, "viewer_joined");
  ASSERT_EQ(joined.size(), 1u) << show(camera);
  EXPECT_EQ(joined[0]["codec"], "VP8");
  EXPECT_EQ(joined[0]["payloadType"], 96);
}

TEST(CameraStreaming, EncoderIdlesWithoutViewersAndWakesForTheNextOne) {
  CameraWorld world;
  // Motion clips keep the full encoder running (recording/event_recorder.hpp); without them
  // it idles while nobody watches.
  auto camera = world.startCamera({"--motion-enabled", "false"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto first = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = first.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << show(first);
  ASSERT_TRUE(waitEvents(camera, "encoder_idle")) << show(camera);

  auto second = world.startViewer({"--frames", "20", "--timeout", "40"});
  status = second.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(second) << show(camera);
  // The same encoder woke up: it was never started a second time.
  EXPECT_EQ(cameraEvents(camera, "encoder_started").size(), 1u) << show(camera);
}

TEST(CameraStreaming, RenegotiationOfALiveSessionIsAnsweredAndFramesKeepComing) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer =
      world.startViewer({"--renegotiate-after", "15", "--frames", "60", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera);
  EXPECT_EQ(linesStartingWith(viewer.log(), "answer").size(), 2u) << show(viewer);
  EXPECT_EQ(cameraEvents(camera, "viewer_renegotiated").size(), 1u) << show(camera);
  EXPECT_EQ(cameraEvents(camera, "viewer_answered").size(), 2u) << show(camera);
  EXPECT_EQ(cameraEvents(camera, "viewer_joined").size(), 1u) << show(camera);
}
