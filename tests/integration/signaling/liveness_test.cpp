// Peers that stop keeping up: ping/pong liveness (PROTOCOL.md "Limits": a ping every 20
// seconds, a peer that stops answering is dropped) and a reader too slow for what is sent to
// it (dropped once its bounded write queue is full, never buffered forever).
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

using Liveness = SignalingTest;

// Longer than a ping interval plus the time allowed for the answer (20 s + 20 s).
constexpr std::chrono::seconds kLongerThanTwoPingIntervals{45};

TEST_F(Liveness, APeerThatAnswersNoPingsIsDroppedAndOneThatAnswersStays) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto silent = openViewer(ann);      // never reads again, so never answers a ping
  auto responsive = openViewer(ann);  // reads all the time; the client answers pings
  EXPECT_FALSE(responsive->receive(kLongerThanTwoPingIntervals).has_value());
  EXPECT_FALSE(responsive->closed());

  // The silent one finds its connection gone once it looks.
  while (silent->receive(std::chrono::seconds(2))) {
  }
  EXPECT_TRUE(silent->closed());
  // The responsive one is still served.
  auto camera = openCamera(cams[0]);
  EXPECT_EQ(nextMessage(*responsive).value("online", false), true);
}

TEST_F(Liveness, AViewerThatStopsReadingIsDroppedOnceItFallsTooFarBehind) {
  // Three cameras each send a burst of large candidates to one viewer that never reads:
  // more than the socket buffers and the server's write queue hold together.
  constexpr int kCameras = 3;
  constexpr int kMessagesPerCamera = 190;             // within the burst allowance
  constexpr std::size_t kCandidateBytes = 60 * 1024;  // within the message size limit
  auto cams = server.provision(kCameras);
  auto ann = registerAccount("ann", cams[0]);
  for (int i = 1; i < kCameras; ++i) claim(ann, cams[i]);
  std::vector<std::unique_ptr<WsClient>> cameras;
  for (const auto& cam : cams) cameras.push_back(openCamera(cam));
  auto slow = openViewer(ann);
  for (int i = 0; i < kCameras; ++i) {
    std::string session = "slow-session-" + std::to_string(i);
    slow->send(offerMessage(session, cams[i].cameraId).dump());
    ASSERT_EQ(nextMessage(*cameras[i]).value("session", ""), session);
  }

  std::string bulk = candidateMessage("slow-session-X", std::string(kCandidateBytes, 'c')).dump();
  for (int i = 0; i < kCameras; ++i) {
    std::string text = bulk;
    text.replace(text.find("slow-session-X"), 14, "slow-session-" + std::to_string(i));
    for (int n = 0; n < kMessagesPerCamera; ++n) {
      if (!cameras[i]->send(text)) break;
    }
  }
  // The server gave up on the viewer: each camera is told its session ended. Candidates the
  // camera sent after that moment get not_found, possibly before the bye arrives.
  for (int i = 0; i < kCameras; ++i) {
    std::string session = "slow-session-" + std::to_string(i);
    json m = nextMessage(*cameras[i], std::chrono::seconds(15));
    while (m.value("type", "") == "error" && m.value("code", "") == "not_found") {
      m = nextMessage(*cameras[i], std::chrono::seconds(15));
    }
    EXPECT_EQ(m.value("type", ""), "bye") << m.dump();
    EXPECT_EQ(m.value("session", ""), session);
  }
  while (slow->receive(std::chrono::seconds(2))) {
  }
  EXPECT_TRUE(slow->closed());
  EXPECT_NE(server.process().log().find("peer too slow"), std::string::npos)
      << "the viewer was dropped for another reason";
}

}  // namespace
}  // namespace seccam::test
