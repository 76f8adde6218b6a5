// Placement on IO threads (docs/IO-SHARDS.md, PROTOCOL.md "Placement hint"): connections that
// name one camera in their upgrade URL live on one IO thread, so relaying between them never
// crosses threads; the hint grants nothing, and a bad one is ignored.
#include <algorithm>
#include <numeric>

#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

constexpr int kThreads = 4;

class Placement : public SignalingTest {
 protected:
  Placement() : SignalingTest({"--threads", std::to_string(kThreads)}) {}

  // Open WebSockets on each IO thread, as /metrics shows them.
  std::vector<double> perThread() {
    std::vector<double> counts;
    for (int i = 0; i < kThreads; ++i) {
      counts.push_back(metric("seccam_io_thread_websockets{thread=\"" + std::to_string(i) + "\"}"));
    }
    return counts;
  }
};

TEST_F(Placement, ACameraAndTheViewersThatNameItShareOneIoThreadAndRelayAsBefore) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  std::string hint = "?camera=" + cams[0].cameraId;
  auto camera = openCamera(cams[0], nullptr, hint);
  std::vector<std::unique_ptr<WsClient>> viewers;
  for (int i = 0; i < 3; ++i) viewers.push_back(openViewer(ann, nullptr, hint));

  // Accepted round robin, the four would be on four threads; placed, they share one.
  auto counts = perThread();
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0.0), 4);
  EXPECT_EQ(*std::max_element(counts.begin(), counts.end()), 4);

  // And the relay is the one-thread relay it always was.
  for (int i = 0; i < 3; ++i) {
    std::string session = "placed-" + std::to_string(i);
    viewers[i]->send(offerMessage(session, cams[0].cameraId).dump());
    json offer = nextMessage(*camera);
    EXPECT_EQ(offer.value("type", ""), "offer");
    EXPECT_EQ(offer.value("session", ""), session);
    camera->send(answerMessage(session).dump());
    EXPECT_EQ(nextNonStatus(*viewers[i]).value("type", ""), "answer");
    viewers[i]->send(candidateMessage(session, "candidate:1 1 udp 1 127.0.0.1 9 typ host").dump());
    EXPECT_EQ(nextMessage(*camera).value("type", ""), "candidate");
  }

  // Leaving takes them off the count.
  viewers.clear();
  EXPECT_TRUE(waitFor(
      [&] {
        auto now = perThread();
        return std::accumulate(now.begin(), now.end(), 0.0) == 1;
      },
      kMessageTimeout));
}

TEST_F(Placement, NamingAnotherAccountsCameraGrantsNothing) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto annCamera = openCamera(cams[0], nullptr, "?camera=" + cams[0].cameraId);
  // Bob's connection names Ann's camera: it lands beside it, and still cannot reach it.
  json hello;
  auto bobViewer = openViewer(bob, &hello, "?camera=" + cams[0].cameraId);
  ASSERT_EQ(hello["cameras"].size(), 1u) << hello.dump();
  EXPECT_EQ(hello["cameras"][0].value("id", ""), cams[1].cameraId);
  bobViewer->send(offerMessage("bob-tries", cams[0].cameraId).dump());
  json refused = nextNonStatus(*bobViewer);
  EXPECT_EQ(refused.value("type", ""), "error") << refused.dump();
  EXPECT_EQ(refused.value("code", ""), "not_found");
  EXPECT_FALSE(annCamera->receive(std::chrono::milliseconds(300)).has_value());
}

TEST_F(Placement, AMalformedOrRepeatedHintIsIgnored) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  // A camera that names some other ID, and viewers with hints that are not camera IDs: all
  // are served as if they had none.
  auto camera = openCamera(cams[0], nullptr, "?camera=sc-not-this-one");
  std::vector<std::string> queries{"?camera=", "?camera=%00%ff", "?camera=" + std::string(300, 'x'),
                                   "?x=1&camera=" + cams[0].cameraId + "&camera=other", "?&&="};
  for (const auto& query : queries) {
    auto viewer = openViewer(ann, nullptr, query);
    std::string session = "hint-session-" + std::to_string(query.size());
    viewer->send(offerMessage(session, cams[0].cameraId).dump());
    json offer = nextMessage(*camera);
    // The previous viewer's leaving (a bye for its session) may come first.
    if (offer.value("type", "") == "bye") offer = nextMessage(*camera);
    EXPECT_EQ(offer.value("type", ""), "offer") << query;
    EXPECT_EQ(offer.value("session", ""), session) << query;
  }
}

}  // namespace
}  // namespace seccam::test
