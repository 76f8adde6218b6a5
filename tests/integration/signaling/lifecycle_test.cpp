// Connections ending: bye and status for the other side (viewer leaves, camera leaves, the
// camera is unclaimed).
#include <set>

#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

using Lifecycle = SignalingTest;

TEST_F(Lifecycle, ViewerDisconnectSendsTheCameraAByePerSession) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto camera = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  auto stays = openViewer(ann);
  viewer->send(offerMessage("session-one", cams[0].cameraId).dump());
  viewer->send(offerMessage("session-two", cams[0].cameraId).dump());
  stays->send(offerMessage("session-stays", cams[0].cameraId).dump());
  std::set<std::string> offered;
  for (int i = 0; i < 3; ++i) offered.insert(nextMessage(*camera).value("session", ""));
  ASSERT_EQ(offered.size(), 3u);

  viewer->drop();  // abrupt: no close handshake
  std::set<std::string> ended;
  for (int i = 0; i < 2; ++i) {
    json bye = nextMessage(*camera);
    EXPECT_EQ(bye.value("type", ""), "bye") << bye.dump();
    ended.insert(bye.value("session", ""));
  }
  EXPECT_EQ(ended, (std::set<std::string>{"session-one", "session-two"}));
  // The other viewer's session lives on.
  camera->send(answerMessage("session-stays").dump());
  EXPECT_EQ(nextNonStatus(*stays).value("session", ""), "session-stays");
}

TEST_F(Lifecycle, CameraDisconnectSendsByeCameraOfflineAndStatusOffline) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto camera = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-one", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("type", ""), "offer");

  camera->drop();
  json bye = nextMessage(*viewer);
  EXPECT_EQ(bye, (json{{"type", "bye"}, {"session", "session-one"}, {"reason", "camera_offline"}}));
  json status = nextMessage(*viewer);
  EXPECT_EQ(status, (json{{"type", "status"}, {"camera", cams[0].cameraId}, {"online", false}}));
  // The session is gone with the camera.
  viewer->send(candidateMessage("session-one", "candidate:late").dump());
  EXPECT_EQ(nextMessage(*viewer).value("code", ""), "not_found");
}

TEST_F(Lifecycle, CameraByeReachesTheViewerWithItsReason) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto camera = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-one", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("type", ""), "offer");
  camera->send(
      json{{"type", "bye"}, {"session", "session-one"}, {"reason", "too_many_viewers"}}.dump());
  EXPECT_EQ(nextMessage(*viewer),
            (json{{"type", "bye"}, {"session", "session-one"}, {"reason", "too_many_viewers"}}));
}

TEST_F(Lifecycle, UnclaimEndsTheLiveSessionWithByeOnBothSides) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  claim(ann, cams[1]);
  auto camera = openCamera(cams[1]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-one", cams[1].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("type", ""), "offer");

  EXPECT_EQ(unclaim(ann, cams[1].cameraId), 204);
  json toCamera = nextMessage(*camera);
  EXPECT_EQ(toCamera.value("type", ""), "bye");
  EXPECT_EQ(toCamera.value("session", ""), "session-one");
  json toViewer = nextNonStatus(*viewer);
  EXPECT_EQ(toViewer.value("type", ""), "bye");
  EXPECT_EQ(toViewer.value("session", ""), "session-one");
  // No longer watchable.
  viewer->send(offerMessage("session-two", cams[1].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("code", ""), "not_found");
}

TEST_F(Lifecycle, ServerShutdownClosesEveryConnectionWithGoingAway) {
  constexpr int kGoingAway = 1001;
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto camera = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  server.stop();  // SIGTERM
  EXPECT_EQ(closeCodeAfterDrain(*viewer), kGoingAway);
  EXPECT_EQ(closeCodeAfterDrain(*camera), kGoingAway);
}

}  // namespace
}  // namespace seccam::test
