// Ping/pong liveness (PROTOCOL.md "Limits"): the server pings every 20 seconds and drops a
// peer that stops answering; a peer that answers stays.
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

}  // namespace
}  // namespace seccam::test
