// Sources other than the test pattern: an RTSP camera (gst-rtsp-server started by the test),
// passed through without re-encoding when its H.264 profile is browser-safe.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "camera_world.hpp"

using namespace seccam::test;

namespace {

ChildProcess startRtspServer(CameraWorld& world, unsigned short port, const std::string& profile) {
  ChildProcess server({rtspServerBinary(), "--address", "127.0.0.1", "--port", std::to_string(port),
                       "--path", "/cam", "--profile", profile, "--width", "320", "--height", "240"},
                      world.dir() + "/rtsp-" + profile + ".log");
  if (!waitFor([&] { return server.log().find("serving rtsp://") != std::string::npos; },
               kLogTimeout)) {
    throw std::runtime_error("RTSP test server did not start:\n" + server.log());
  }
  return server;
}
}  // namespace

TEST(CameraSources, RtspConstrainedBaselineIsPassedThroughWithoutReencoding) {
  CameraWorld world;
  unsigned short port = freePort();
  auto rtsp = startRtspServer(world, port, "constrained-baseline");
  auto camera = world.startCamera({"--source", "rtsp://127.0.0.1:" + std::to_string(port) + "/cam",
                                   "--width", "640", "--height", "480"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera) << show(rtsp);
  // The RTSP camera's own 320x240 arrives (the camera's 640x480 setting is for encoding only).
  EXPECT_NE(viewer.log().find("frames 20 320x240"), std::string::npos) << show(viewer);
  EXPECT_EQ(cameraEvents(camera, "source_started", withField("input", "h264-passthrough")).size(),
            1u)
      << show(camera);
  EXPECT_TRUE(cameraEvents(camera, "encoder_started").empty()) << show(camera);
  auto answered = cameraEvents(camera, "viewer_answered");
  ASSERT_EQ(answered.size(), 1u) << show(camera);
  EXPECT_EQ(answered[0]["encoders"], 0) << show(camera);
}

TEST(CameraSources, RtspHighProfileIsReencodedForBrowsers) {
  CameraWorld world;
  unsigned short port = freePort();
  auto rtsp = startRtspServer(world, port, "high");
  auto camera =
      world.startCamera({"--source", "rtsp://127.0.0.1:" + std::to_string(port) + "/cam"});
  ASSERT_TRUE(waitEvents(camera, "source_started", 1, withField("input", "raw")))
      << show(camera) << show(rtsp);
  EXPECT_TRUE(
      cameraEvents(camera, "source_started", withField("input", "h264-passthrough")).empty())
      << show(camera);
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--frames", "20", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera);
  EXPECT_NE(viewer.log().find("frames 20 320x240"), std::string::npos) << show(viewer);
  EXPECT_EQ(cameraEvents(camera, "encoder_started").size(), 1u) << show(camera);
}

TEST(CameraSources, RtspCameraThatDropsIsRetriedWhileViewersStayConnected) {
  CameraWorld world;
  unsigned short port = freePort();
  auto rtsp = startRtspServer(world, port, "constrained-baseline");
  auto camera =
      world.startCamera({"--source", "rtsp://127.0.0.1:" + std::to_string(port) + "/cam"});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer();
  ASSERT_TRUE(world.waitFrames(viewer, 10)) << show(viewer) << show(camera);

  rtsp.stop(SIGKILL);
  ASSERT_TRUE(waitEvents(camera, "source_retrying", 1, {}, std::chrono::seconds(30)))
      << show(camera);
  auto again = startRtspServer(world, port, "constrained-baseline");
  int before = framesDecoded(viewer.log());
  EXPECT_TRUE(world.waitFrames(viewer, before + 20)) << show(viewer) << show(camera);
  EXPECT_TRUE(viewer.running()) << "the viewer's session ended: " << show(viewer);
  EXPECT_TRUE(cameraEvents(camera, "viewer_left").empty()) << show(camera);
}

TEST(CameraSources, FileSourceIsLooped) {
  CameraWorld world;
  // One second of video: more than 60 frames decoded means it played at least twice.
  std::string file = world.dir() + "/clip.mkv";
  auto made = runProgram({"/usr/bin/gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "!",
                          "video/x-raw,width=320,height=240,framerate=30/1", "!", "x264enc", "!",
                          "matroskamux", "!", "filesink", "location=" + file});
  ASSERT_EQ(made.exitCode, 0) << made.output;
  auto camera = world.startCamera({"--source", "file:" + file});
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  auto viewer = world.startViewer({"--frames", "70", "--timeout", "40"});
  auto status = viewer.wait(std::chrono::seconds(45));
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << show(viewer) << show(camera);
  // Looped in place: the source never failed, ended or had to be restarted.
  EXPECT_TRUE(cameraEvents(camera, "source_retrying").empty()) << show(camera);
}
