// Who may talk to whom: sessions bound to one viewer connection and one camera connection.
#include "server/signaling/routing_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace seccam::server {
namespace {

constexpr std::int64_t kAnn = 1;
constexpr std::int64_t kBob = 2;
constexpr ConnectionId kAnnViewer = 11;
constexpr ConnectionId kAnnSecondViewer = 12;
constexpr ConnectionId kBobViewer = 21;
constexpr ConnectionId kCamA = 101;
constexpr ConnectionId kCamANewer = 102;
constexpr ConnectionId kCamB = 201;
const std::string kSession = "session-0001";

bool contains(const std::vector<ConnectionId>& ids, ConnectionId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class RoutingTableTest : public ::testing::Test {
 protected:
  RoutingTableTest() : table(16) {
    table.addViewer(kAnnViewer, kAnn, {"cam-a"}, table.ownershipVersion());
    table.addViewer(kBobViewer, kBob, {"cam-b"}, table.ownershipVersion());
  }
  RoutingTable table;
};

TEST_F(RoutingTableTest, CameraComingOnlineIsToldToItsOwnersViewersOnly) {
  table.addViewer(kAnnSecondViewer, kAnn, {"cam-a"}, table.ownershipVersion());
  auto attached = table.attachCamera("cam-a", kCamA);
  EXPECT_EQ(attached.replaced, kNoConnection);
  EXPECT_EQ(attached.audience.size(), 2u);
  EXPECT_TRUE(contains(attached.audience, kAnnViewer));
  EXPECT_TRUE(contains(attached.audience, kAnnSecondViewer));
  EXPECT_TRUE(table.isOnline("cam-a"));
  EXPECT_FALSE(table.isOnline("cam-b"));
}

TEST_F(RoutingTableTest, OfferReachesTheOwnedOnlineCamera) {
  table.attachCamera("cam-a", kCamA);
  auto route = table.offer(kAnnViewer, kSession, "cam-a");
  EXPECT_EQ(route.error, RouteError::none);
  EXPECT_EQ(route.to, kCamA);
  EXPECT_EQ(table.sessionCount(), 1u);
}

TEST_F(RoutingTableTest, OfferToSomeoneElsesCameraIsNotFound) {
  table.attachCamera("cam-a", kCamA);
  auto route = table.offer(kBobViewer, kSession, "cam-a");
  EXPECT_EQ(route.error, RouteError::notFound);
  EXPECT_EQ(table.sessionCount(), 0u);
}

TEST_F(RoutingTableTest, OfferToOfflineCameraIsCameraOffline) {
  EXPECT_EQ(table.offer(kAnnViewer, kSession, "cam-a").error, RouteError::cameraOffline);
}

TEST_F(RoutingTableTest, SessionIdBelongsToTheConnectionThatFirstUsedIt) {
  table.addViewer(kAnnSecondViewer, kAnn, {"cam-a"}, table.ownershipVersion());
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  EXPECT_EQ(table.offer(kAnnSecondViewer, kSession, "cam-a").error, RouteError::notFound);
  EXPECT_EQ(table.fromViewer(kAnnSecondViewer, kSession, false).error, RouteError::notFound);
  EXPECT_EQ(table.fromViewer(kBobViewer, kSession, true).error, RouteError::notFound);
  EXPECT_EQ(table.sessionCount(), 1u);  // the refused bye ended nothing
}

TEST_F(RoutingTableTest, SessionIsBoundToOneCamera) {
  table.addViewer(kAnnViewer + 100, kAnn, {"cam-a", "cam-c"}, table.ownershipVersion());
  table.attachCamera("cam-a", kCamA);
  table.attachCamera("cam-c", 301);
  table.offer(kAnnViewer + 100, kSession, "cam-a");
  EXPECT_EQ(table.offer(kAnnViewer + 100, kSession, "cam-c").error, RouteError::notFound);
  auto again = table.offer(kAnnViewer + 100, kSession, "cam-a");  // renegotiation
  EXPECT_EQ(again.error, RouteError::none);
  EXPECT_EQ(again.to, kCamA);
}

TEST_F(RoutingTableTest, CameraReachesOnlyTheViewerOfItsOwnSession) {
  table.attachCamera("cam-a", kCamA);
  table.attachCamera("cam-b", kCamB);
  table.offer(kAnnViewer, kSession, "cam-a");
  auto route = table.fromCamera(kCamA, kSession, false);
  EXPECT_EQ(route.error, RouteError::none);
  EXPECT_EQ(route.to, kAnnViewer);
  EXPECT_EQ(table.fromCamera(kCamB, kSession, false).error, RouteError::notFound);
  EXPECT_EQ(table.fromCamera(kCamA, "unknown-session", false).error, RouteError::notFound);
}

TEST_F(RoutingTableTest, ViewerCandidatesGoToTheCameraOfItsSession) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  auto route = table.fromViewer(kAnnViewer, kSession, false);
  EXPECT_EQ(route.to, kCamA);
  EXPECT_EQ(table.fromViewer(kAnnViewer, "never-offered", false).error, RouteError::notFound);
}

TEST_F(RoutingTableTest, ByeFromEitherSideEndsTheSession) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  EXPECT_EQ(table.fromViewer(kAnnViewer, kSession, true).to, kCamA);
  EXPECT_EQ(table.sessionCount(), 0u);
  EXPECT_EQ(table.fromCamera(kCamA, kSession, false).error, RouteError::notFound);

  table.offer(kAnnViewer, kSession, "cam-a");
  EXPECT_EQ(table.fromCamera(kCamA, kSession, true).to, kAnnViewer);
  EXPECT_EQ(table.sessionCount(), 0u);
}

TEST_F(RoutingTableTest, AtMostTheLimitOfLiveSessionsPerViewerConnection) {
  table.attachCamera("cam-a", kCamA);
  for (int i = 0; i < 16; ++i) {
    ASSERT_EQ(table.offer(kAnnViewer, "session-" + std::to_string(100 + i), "cam-a").error,
              RouteError::none);
  }
  EXPECT_EQ(table.offer(kAnnViewer, "session-one-too-many", "cam-a").error,
            RouteError::tooManySessions);
  table.fromViewer(kAnnViewer, "session-100", true);
  EXPECT_EQ(table.offer(kAnnViewer, "session-one-too-many", "cam-a").error, RouteError::none);
}

TEST_F(RoutingTableTest, ViewerLeavingEndsItsSessionsForTheCamera) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, "session-1111", "cam-a");
  table.offer(kAnnViewer, "session-2222", "cam-a");
  auto ended = table.removeViewer(kAnnViewer);
  ASSERT_EQ(ended.size(), 2u);
  for (const auto& e : ended) EXPECT_EQ(e.camera, kCamA);
  EXPECT_EQ(table.sessionCount(), 0u);
  EXPECT_EQ(table.viewerCount(), 1u);
  EXPECT_TRUE(table.attachCamera("cam-x", 999).audience.empty());
}

TEST_F(RoutingTableTest, CameraLeavingEndsItsSessionsAndTellsItsAudience) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  auto detached = table.detachCamera(kCamA);
  EXPECT_EQ(detached.cameraId, "cam-a");
  ASSERT_EQ(detached.endedSessions.size(), 1u);
  EXPECT_EQ(detached.endedSessions[0].viewer, kAnnViewer);
  EXPECT_EQ(detached.audience, std::vector<ConnectionId>{kAnnViewer});
  EXPECT_FALSE(table.isOnline("cam-a"));
  EXPECT_EQ(table.sessionCount(), 0u);
}

TEST_F(RoutingTableTest, NewerCameraConnectionReplacesTheOlder) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  auto attached = table.attachCamera("cam-a", kCamANewer);
  EXPECT_EQ(attached.replaced, kCamA);
  EXPECT_EQ(attached.endedSessions.size(), 1u);
  EXPECT_TRUE(attached.audience.empty());  // it never went offline
  EXPECT_EQ(table.cameraConnection("cam-a"), kCamANewer);
  // The old connection closing later changes nothing.
  EXPECT_TRUE(table.detachCamera(kCamA).cameraId.empty());
  EXPECT_TRUE(table.isOnline("cam-a"));
  EXPECT_EQ(table.fromCamera(kCamA, kSession, false).error, RouteError::notFound);
  EXPECT_EQ(table.offer(kAnnViewer, "session-new", "cam-a").to, kCamANewer);
}

TEST_F(RoutingTableTest, UnclaimEndsSessionsAndForbidsNewOnes) {
  table.attachCamera("cam-a", kCamA);
  table.offer(kAnnViewer, kSession, "cam-a");
  auto ended = table.unclaim(kAnn, "cam-a");
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].viewer, kAnnViewer);
  EXPECT_EQ(ended[0].camera, kCamA);
  EXPECT_EQ(table.offer(kAnnViewer, "session-new", "cam-a").error, RouteError::notFound);
  EXPECT_TRUE(table.detachCamera(kCamA).audience.empty());
}

TEST_F(RoutingTableTest, ClaimMakesTheCameraWatchableOnOpenConnections) {
  table.attachCamera("cam-c", 301);
  auto claimed = table.claim(kBob, "cam-c");
  EXPECT_TRUE(claimed.online);
  EXPECT_EQ(claimed.viewers, std::vector<ConnectionId>{kBobViewer});
  EXPECT_EQ(table.offer(kBobViewer, kSession, "cam-c").to, ConnectionId{301});
  EXPECT_EQ(table.offer(kAnnViewer, "session-ann", "cam-c").error, RouteError::notFound);
}

}  // namespace
}  // namespace seccam::server

namespace seccam::server {
namespace {
TEST(RoutingTableOwnership, AnUnclaimBetweenReadingTheListAndJoiningIsApplied) {
  RoutingTable table(16);
  auto version = table.ownershipVersion();  // then the list is read: Ann owns cam-a
  table.unclaim(kAnn, "cam-a");             // the owner removes it meanwhile
  table.claim(kBob, "cam-a");               // and Bob claims it
  ASSERT_TRUE(table.addViewer(kAnnViewer, kAnn, {"cam-a"}, version));
  EXPECT_FALSE(table.mayWatch(kAnnViewer, "cam-a"));
  table.attachCamera("cam-a", kCamA);
  EXPECT_EQ(table.offer(kAnnViewer, kSession, "cam-a").error, RouteError::notFound);
}

TEST(RoutingTableOwnership, AClaimBetweenReadingTheListAndJoiningIsApplied) {
  RoutingTable table(16);
  auto version = table.ownershipVersion();
  table.claim(kAnn, "cam-c");
  ASSERT_TRUE(table.addViewer(kAnnViewer, kAnn, {"cam-a"}, version));
  EXPECT_TRUE(table.mayWatch(kAnnViewer, "cam-c"));
  EXPECT_TRUE(table.mayWatch(kAnnViewer, "cam-a"));
}

TEST(RoutingTableOwnership, AnotherUsersChangesDoNotTouchTheJoiningViewer) {
  RoutingTable table(16);
  auto version = table.ownershipVersion();
  table.unclaim(kBob, "cam-a");
  ASSERT_TRUE(table.addViewer(kAnnViewer, kAnn, {"cam-a"}, version));
  EXPECT_TRUE(table.mayWatch(kAnnViewer, "cam-a"));
}

TEST(RoutingTableOwnership, AListOlderThanTheRememberedChangesIsRefused) {
  RoutingTable table(16);
  auto version = table.ownershipVersion();
  for (int i = 0; i < 5000; ++i) table.claim(kBob, "cam-" + std::to_string(i));
  EXPECT_FALSE(table.addViewer(kAnnViewer, kAnn, {"cam-a"}, version));
  EXPECT_FALSE(table.mayWatch(kAnnViewer, "cam-a"));
  EXPECT_TRUE(table.addViewer(kAnnViewer, kAnn, {"cam-a"}, table.ownershipVersion()));
}
// A viewer of another node (docs/BUS.md): its node checked ownership; here the proxy that
// stands for it may only open sessions on a camera connection of this node and use its own.
constexpr ConnectionId kRemoteViewer = 901;
constexpr ConnectionId kOtherRemoteViewer = 902;

TEST_F(RoutingTableTest, ARemoteViewersOfferBindsASessionToThatViewerAndCamera) {
  table.attachCamera("cam-a", kCamA);
  table.addViewer(kRemoteViewer, 0, {}, table.ownershipVersion());
  table.addViewer(kOtherRemoteViewer, 0, {}, table.ownershipVersion());
  auto route = table.remoteOffer(kRemoteViewer, kSession, kCamA);
  EXPECT_EQ(route.error, RouteError::none);
  EXPECT_EQ(route.to, kCamA);
  EXPECT_EQ(table.sessionCountOf(kRemoteViewer), 1u);
  // Renegotiation by the same viewer is fine; the same ID from another viewer is not.
  EXPECT_EQ(table.remoteOffer(kRemoteViewer, kSession, kCamA).error, RouteError::none);
  EXPECT_EQ(table.remoteOffer(kOtherRemoteViewer, kSession, kCamA).error, RouteError::notFound);
  EXPECT_EQ(table.fromViewer(kOtherRemoteViewer, kSession, false).error, RouteError::notFound);
  EXPECT_EQ(table.offer(kAnnViewer, kSession, "cam-a").error, RouteError::notFound);
  // The camera answers into it; the remote viewer's bye ends it.
  EXPECT_EQ(table.fromCamera(kCamA, kSession, false).to, kRemoteViewer);
  EXPECT_EQ(table.fromViewer(kRemoteViewer, kSession, true).to, kCamA);
  EXPECT_EQ(table.sessionCountOf(kRemoteViewer), 0u);
  // The remote viewer has no cameras of its own: an ordinary offer is not_found.
  EXPECT_EQ(table.offer(kRemoteViewer, "session-0002", "cam-a").error, RouteError::notFound);
}

TEST_F(RoutingTableTest, ARemoteOfferToAConnectionThatIsNotACurrentCameraIsCameraOffline) {
  table.addViewer(kRemoteViewer, 0, {}, table.ownershipVersion());
  EXPECT_EQ(table.remoteOffer(kRemoteViewer, kSession, kCamA).error, RouteError::cameraOffline);
  table.attachCamera("cam-a", kCamA);
  table.attachCamera("cam-a", kCamANewer);  // kCamA replaced
  EXPECT_EQ(table.remoteOffer(kRemoteViewer, kSession, kCamA).error, RouteError::cameraOffline);
  EXPECT_EQ(table.remoteOffer(kRemoteViewer, kSession, kCamANewer).to, kCamANewer);
  EXPECT_EQ(table.cameraIdOf(kCamANewer), "cam-a");
  EXPECT_EQ(table.cameraIdOf(kCamA), "");
}

}  // namespace
}  // namespace seccam::server
