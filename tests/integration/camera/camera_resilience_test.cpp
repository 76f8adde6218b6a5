// The camera on its own: reconnecting after a server restart, a refused key, clean shutdown,
// and relay-only viewers through a real coturn.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include "camera_world.hpp"

using namespace seccam::test;

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
