// Camera authentication on /ws/camera: the HMAC challenge, wrong keys, replays, timeouts,
// revoked cameras and a newer connection replacing an older one.
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

constexpr int kUnauthorized = 4401;
constexpr int kAuthTimeout = 4408;
constexpr int kReplaced = 4409;

using CameraAuth = SignalingTest;

// A server whose cameras have one second to authenticate instead of the default ten.
constexpr std::chrono::seconds kShortAuthTimeout{1};
class CameraAuthTimeout : public SignalingTest {
 protected:
  CameraAuthTimeout()
      : SignalingTest(
            {"--signaling-camera-auth-timeout", std::to_string(kShortAuthTimeout.count())}) {}
};

TEST_F(CameraAuth, RightKeyIsWelcomedWithIceServers) {
  auto cams = server.provision(1);
  json welcome;
  auto camera = openCamera(cams[0], &welcome);
  EXPECT_EQ(welcome.value("type", ""), "welcome");
  EXPECT_EQ(turnSubject(welcome["iceServers"]), cams[0].cameraId) << welcome.dump();
  EXPECT_EQ(welcome["iceServers"][0]["urls"], json::array({kTurnUrl}));
}

TEST_F(CameraAuth, ChallengeIsFreshBase64Of32Bytes) {
  std::string first, second;
  auto a = openCameraUnauthenticated(&first);
  auto b = openCameraUnauthenticated(&second);
  EXPECT_EQ(first.size(), 44u) << first;  // base64 of 32 bytes
  EXPECT_NE(first, second);
}

TEST_F(CameraAuth, WrongKeyGetsUnauthorizedAndClose4401) {
  auto cams = server.provision(2);
  std::string nonce;
  auto camera = openCameraUnauthenticated(&nonce);
  // Camera 0 signing with camera 1's key.
  json auth{{"type", "auth"},
            {"camera", cams[0].cameraId},
            {"signature", signatureFor(cams[1].deviceKey, nonce, cams[0].cameraId)}};
  camera->send(auth.dump());
  json reply = nextMessage(*camera);
  EXPECT_EQ(reply.value("type", ""), "error");
  EXPECT_EQ(reply.value("code", ""), "unauthorized");
  EXPECT_EQ(closeCodeAfterDrain(*camera), kUnauthorized);
}

TEST_F(CameraAuth, SignatureReplayedFromAnEarlierNonceIsRefused) {
  auto cams = server.provision(1);
  std::string earlierNonce;
  auto first = openCameraUnauthenticated(&earlierNonce);
  std::string captured = signatureFor(cams[0].deviceKey, earlierNonce, cams[0].cameraId);
  first->send(json{{"type", "auth"}, {"camera", cams[0].cameraId}, {"signature", captured}}.dump());
  EXPECT_EQ(nextMessage(*first).value("type", ""), "welcome");

  std::string laterNonce;
  auto replay = openCameraUnauthenticated(&laterNonce);
  ASSERT_NE(laterNonce, earlierNonce);
  replay->send(
      json{{"type", "auth"}, {"camera", cams[0].cameraId}, {"signature", captured}}.dump());
  EXPECT_EQ(nextMessage(*replay).value("code", ""), "unauthorized");
  EXPECT_EQ(closeCodeAfterDrain(*replay), kUnauthorized);
  // The genuine connection was not replaced by the failed attempt: it still gets offers.
  auto ann = registerAccount("ann", cams[0]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-after-replay", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*first).value("session", ""), "session-after-replay");
}

TEST_F(CameraAuthTimeout, NoAnswerToTheChallengeClosesWith4408) {
  std::string nonce;
  auto camera = openCameraUnauthenticated(&nonce);
  EXPECT_EQ(closeCodeAfterDrain(*camera, kShortAuthTimeout + kMessageTimeout), kAuthTimeout);
  EXPECT_EQ(metric("seccam_camera_auth_failures_total"), 1);
}

TEST_F(CameraAuthTimeout, ACameraThatAuthenticatedInTimeIsNotClosedAtTheTimeout) {
  auto cams = server.provision(1);
  auto camera = openCamera(cams[0]);
  EXPECT_FALSE(camera->receive(2 * kShortAuthTimeout).has_value());
  EXPECT_FALSE(camera->closed());
  EXPECT_EQ(metric("seccam_camera_auth_failures_total"), 0);
}

TEST_F(CameraAuth, AMessageOtherThanAuthFirstIsUnauthorized) {
  std::string nonce;
  auto camera = openCameraUnauthenticated(&nonce);
  camera->send(answerMessage("session-0001").dump());
  EXPECT_EQ(nextMessage(*camera).value("code", ""), "unauthorized");
  EXPECT_EQ(closeCodeAfterDrain(*camera), kUnauthorized);
}

TEST_F(CameraAuth, RevokedCameraIsRefusedEvenWithItsRightKey) {
  auto cams = server.provision(1);
  auto result = runProgram(
      {serverBinary(), "camera", "revoke", cams[0].cameraId, "--data", server.dataDir()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  std::string nonce;
  auto camera = openCameraUnauthenticated(&nonce);
  camera->send(json{{"type", "auth"},
                    {"camera", cams[0].cameraId},
                    {"signature", signatureFor(cams[0].deviceKey, nonce, cams[0].cameraId)}}
                   .dump());
  EXPECT_EQ(nextMessage(*camera).value("code", ""), "unauthorized");
  EXPECT_EQ(closeCodeAfterDrain(*camera), kUnauthorized);
}

TEST_F(CameraAuth, NewerConnectionReplacesTheOlderWhichIsClosedWith4409) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto older = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  auto newer = openCamera(cams[0]);
  EXPECT_EQ(closeCodeAfterDrain(*older), kReplaced);

  viewer->send(offerMessage("session-after-replace", cams[0].cameraId).dump());
  json offer = nextMessage(*newer);
  EXPECT_EQ(offer.value("type", ""), "offer");
  EXPECT_EQ(offer.value("session", ""), "session-after-replace");
}

}  // namespace
}  // namespace seccam::test
