// What bad input gets on the signaling WebSockets (PROTOCOL.md "Errors", "Limits"): an error
// with the right code and the connection kept, or the close code PROTOCOL.md names.
#include <sstream>

#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

constexpr int kTooBig = 1009;
constexpr int kRateLimited = 4429;
constexpr std::size_t kMaxMessageBytes = 64 * 1024;
constexpr int kMaxSessionsPerViewer = 16;
constexpr int kBurst = 200;

class BadInput : public SignalingTest {
 protected:
  void SetUp() override {
    cams = server.provision(1);
    ann = registerAccount("ann", cams[0]);
    camera = openCamera(cams[0]);
    viewer = openViewer(ann);
  }
  // The viewer still works: an offer reaches the camera.
  void expectViewerStillServed(const std::string& session) {
    viewer->send(offerMessage(session, cams[0].cameraId).dump());
    EXPECT_EQ(nextMessage(*camera).value("session", ""), session);
  }
  std::vector<ProvisionedCamera> cams;
  Account ann;
  std::unique_ptr<WsClient> camera;
  std::unique_ptr<WsClient> viewer;
};

void expectBadRequest(WsClient& client, const std::string& text) {
  ASSERT_TRUE(client.send(text));
  json error = nextNonStatus(client);
  EXPECT_EQ(error.value("type", ""), "error") << text;
  EXPECT_EQ(error.value("code", ""), "bad_request") << text << " -> " << error.dump();
  EXPECT_FALSE(error.value("message", "").empty());
}

TEST_F(BadInput, InvalidJsonIsABadRequestAndTheConnectionStays) {
  expectBadRequest(*viewer, "{not json");
  expectBadRequest(*viewer, "[1,2,3]");
  expectBadRequest(*viewer, "");
  expectViewerStillServed("session-after-bad-json");
}

TEST_F(BadInput, MissingOrIllTypedFieldsAreBadRequests) {
  expectBadRequest(*viewer, R"({"type":"offer","session":"session-0001","camera":"x"})");
  expectBadRequest(*viewer, R"({"type":"offer","session":12345678,"camera":"x","sdp":"v=0"})");
  expectBadRequest(*viewer, R"({"type":"candidate","session":"session-0001","candidate":5})");
  expectBadRequest(*viewer, R"({"type":"candidate","session":"short","candidate":""})");
  expectBadRequest(*viewer, R"({"type":"bye"})");
  expectBadRequest(*viewer, R"({"type":7})");
  expectBadRequest(*viewer, R"({"session":"session-0001"})");
  expectViewerStillServed("session-after-bad-fields");
}

TEST_F(BadInput, UnknownMessageTypesAreBadRequests) {
  expectBadRequest(*viewer, R"({"type":"answer","session":"session-0001","sdp":"v=0"})");
  expectBadRequest(*viewer, R"({"type":"hello"})");
  expectBadRequest(*viewer, R"({"type":"make-me-admin"})");
  expectBadRequest(*camera, R"({"type":"offer","session":"session-0001","sdp":"v=0"})");
  expectBadRequest(*camera, "{not json");
  expectViewerStillServed("session-after-unknown-type");
}

// Found by fuzz_signaling: the refusal quotes the type's first 32 bytes, and a cut inside a
// character made the error unserializable; the exception took the whole server down.
TEST_F(BadInput, AnUnknownTypeCutInsideACharacterIsABadRequestAndTheServerStays) {
  json message{{"type", std::string(31, 'x') + "\xC3\xA9"}};  // "é" across byte 32
  expectBadRequest(*viewer, message.dump());
  expectBadRequest(*camera, message.dump());
  expectViewerStillServed("session-after-cut-type");
}

TEST_F(BadInput, AMessageTypeWithANewlineCannotForgeALogLine) {
  // The server logs why it refused the message, type included: the newline stays escaped.
  // Short enough to survive the 32 characters of the type that the refusal quotes.
  const std::string forged = "FORGED: admin signed in";
  json message{{"type", "x\n" + forged}};
  expectBadRequest(*camera, message.dump());
  expectBadRequest(*viewer, message.dump());
  expectViewerStillServed("session-after-forged-type");
  std::istringstream log(server.process().log());
  int escaped = 0;
  for (std::string line; std::getline(log, line);) {
    EXPECT_NE(line.rfind(forged, 0), 0u) << "a client forged a log line: " << line;
    if (line.find("\\n" + forged) != std::string::npos) ++escaped;
  }
  EXPECT_EQ(escaped, 2) << server.process().log();
}

TEST_F(BadInput, ACameraSessionErrorNamesTheSession) {
  camera->send(candidateMessage("nobody-has-this", "candidate:x").dump());
  json error = nextMessage(*camera);
  EXPECT_EQ(error.value("code", ""), "not_found");
  EXPECT_EQ(error.value("session", ""), "nobody-has-this");
}

TEST_F(BadInput, AMessageOverTheSizeLimitClosesWith1009AndOthersKeepWorking) {
  auto other = openViewer(ann);
  json huge =
      offerMessage("session-huge", cams[0].cameraId, std::string(kMaxMessageBytes + 1, 'a'));
  viewer->send(huge.dump());
  EXPECT_EQ(closeCodeAfterDrain(*viewer), kTooBig);
  other->send(offerMessage("session-other", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-other");
}

TEST_F(BadInput, AMessageJustUnderTheSizeLimitIsRelayed) {
  // The whole frame, JSON included, fits in 64 KiB.
  json big =
      offerMessage("session-big", cams[0].cameraId, std::string(kMaxMessageBytes - 200, 'a'));
  ASSERT_LE(big.dump().size(), kMaxMessageBytes);
  viewer->send(big.dump());
  json offer = nextMessage(*camera);
  EXPECT_EQ(offer.value("session", ""), "session-big");
  EXPECT_EQ(offer.value("sdp", "").size(), kMaxMessageBytes - 200);
}

TEST_F(BadInput, AFloodIsRateLimitedThenClosedWith4429AndOthersKeepWorking) {
  auto other = openViewer(ann);
  // Each message gets a not_found answer; far more than the burst, as fast as possible.
  for (int i = 0; i < kBurst + 100; ++i) {
    if (!viewer->send(byeMessage("no-such-session").dump())) break;
  }
  bool sawRateLimited = false;
  while (auto text = viewer->receive(kMessageTimeout)) {
    json m = json::parse(*text, nullptr, false);
    if (m.is_object() && m.value("code", "") == "rate_limited") sawRateLimited = true;
  }
  EXPECT_TRUE(sawRateLimited);
  EXPECT_EQ(viewer->closeCode(), kRateLimited);
  other->send(offerMessage("session-other", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-other");
}

TEST_F(BadInput, TheSeventeenthLiveSessionOnOneConnectionIsTooManyViewers) {
  for (int i = 0; i < kMaxSessionsPerViewer; ++i) {
    std::string session = "session-" + std::to_string(1000 + i);
    viewer->send(offerMessage(session, cams[0].cameraId).dump());
    ASSERT_EQ(nextMessage(*camera).value("session", ""), session);
  }
  viewer->send(offerMessage("session-seventeen", cams[0].cameraId).dump());
  json error = nextNonStatus(*viewer);
  EXPECT_EQ(error.value("code", ""), "too_many_viewers");
  EXPECT_EQ(error.value("session", ""), "session-seventeen");
  // Ending one makes room again.
  viewer->send(byeMessage("session-1000").dump());
  EXPECT_EQ(nextMessage(*camera).value("type", ""), "bye");
  expectViewerStillServed("session-seventeen");
}

TEST_F(BadInput, OfferToAnOfflineCameraIsCameraOffline) {
  camera->close();
  EXPECT_EQ(nextMessage(*viewer).value("online", true), false);
  viewer->send(offerMessage("session-offline", cams[0].cameraId).dump());
  json error = nextMessage(*viewer);
  EXPECT_EQ(error.value("code", ""), "camera_offline");
  EXPECT_EQ(error.value("session", ""), "session-offline");
}

}  // namespace
}  // namespace seccam::test
