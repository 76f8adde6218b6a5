// Peers that stop keeping up: ping/pong liveness (PROTOCOL.md "Limits": a ping every ping
// interval, 20 seconds by default; a peer that misses two is dropped) and a reader too slow
// for what is sent to it (dropped once its bounded write queue is full, never buffered
// forever).
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

// The server under test pings every second, so that two missed pings take two seconds
// rather than the default interval's forty.
constexpr std::chrono::seconds kPingInterval{1};

class Liveness : public SignalingTest {
 protected:
  Liveness()
      : SignalingTest({"--signaling-ping-interval", std::to_string(kPingInterval.count())}) {}
};

// The default ping interval: a reader that falls behind is dropped for that, not for pings.
using SlowReader = SignalingTest;

TEST_F(Liveness, APeerThatAnswersNoPingsIsDroppedAndOneThatAnswersStays) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto silent = openViewer(ann);      // never reads again, so never answers a ping
  auto responsive = openViewer(ann);  // reads all the time; the client answers pings
  // Longer than two ping intervals: the silent one has missed two pings by then.
  EXPECT_FALSE(responsive->receive(3 * kPingInterval).has_value());
  EXPECT_FALSE(responsive->closed());

  // The silent one finds its connection gone once it looks, and the hub has forgotten it.
  while (silent->receive(kPingInterval)) {
  }
  EXPECT_TRUE(silent->closed());
  EXPECT_TRUE(waitFor([&] { return metric("seccam_viewers_connected") == 1; }, kMessageTimeout));
  // The responsive one is still served.
  auto camera = openCamera(cams[0]);
  EXPECT_EQ(nextMessage(*responsive).value("online", false), true);
}

TEST_F(SlowReader, AViewerThatStopsReadingIsDroppedOnceItFallsTooFarBehind) {
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
  // Dropped for falling behind, and it was the viewer: every camera is still connected.
  EXPECT_EQ(metric("seccam_slow_peers_dropped_total"), 1);
  EXPECT_EQ(metric("seccam_cameras_connected"), kCameras);
}

}  // namespace
}  // namespace seccam::test
