// The viewer WebSocket: hello, status pushes, and offer/answer/candidate/bye routed by
// session between viewers and cameras, never across users.
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

using ViewerRouting = SignalingTest;

const json* findCamera(const json& hello, const std::string& id) {
  for (const auto& c : hello["cameras"]) {
    if (c.value("id", "") == id) return &c;
  }
  return nullptr;
}

TEST_F(ViewerRouting, HelloNamesTheUserTheirCamerasWithOnlineStateAndIceServers) {
  auto cams = server.provision(3);
  auto ann = registerAccount("ann", cams[0]);
  claim(ann, cams[1]);
  auto bob = registerAccount("bob", cams[2]);
  auto camera = openCamera(cams[0]);
  json hello;
  auto viewer = openViewer(ann, &hello);
  EXPECT_EQ(hello["user"]["username"], "ann");
  ASSERT_EQ(hello["cameras"].size(), 2u) << hello.dump();
  ASSERT_NE(findCamera(hello, cams[0].cameraId), nullptr);
  ASSERT_NE(findCamera(hello, cams[1].cameraId), nullptr);
  EXPECT_EQ((*findCamera(hello, cams[0].cameraId))["online"], true);
  EXPECT_EQ((*findCamera(hello, cams[1].cameraId))["online"], false);
  EXPECT_EQ(findCamera(hello, cams[2].cameraId), nullptr);  // bob's
  EXPECT_EQ(turnSubject(hello["iceServers"]), "ann") << hello.dump();
}

TEST_F(ViewerRouting, OwnersViewersAreToldWhenACameraGoesOnlineAndOffline) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto annViewer = openViewer(ann);
  auto annSecondViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);

  auto camera = openCamera(cams[0]);
  for (auto* v : {annViewer.get(), annSecondViewer.get()}) {
    json status = nextMessage(*v);
    EXPECT_EQ(status, (json{{"type", "status"}, {"camera", cams[0].cameraId}, {"online", true}}));
  }
  camera->close();
  for (auto* v : {annViewer.get(), annSecondViewer.get()}) {
    json status = nextMessage(*v);
    EXPECT_EQ(status, (json{{"type", "status"}, {"camera", cams[0].cameraId}, {"online", false}}));
  }
  // Bob's first message is about his own camera, never about Ann's.
  auto bobCamera = openCamera(cams[1]);
  EXPECT_EQ(nextMessage(*bobViewer).value("camera", ""), cams[1].cameraId);
}

TEST_F(ViewerRouting, OfferAnswerAndCandidatesFlowBetweenTwoViewersAndTwoCamerasWithoutCrossTalk) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto camA = openCamera(cams[0]);
  auto camB = openCamera(cams[1]);
  auto annViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);

  annViewer->send(offerMessage("ann-session-1", cams[0].cameraId, "v=0 ann").dump());
  bobViewer->send(offerMessage("bob-session-1", cams[1].cameraId, "v=0 bob").dump());

  json offerA = nextMessage(*camA);
  EXPECT_EQ(offerA.value("type", ""), "offer");
  EXPECT_EQ(offerA.value("session", ""), "ann-session-1");
  EXPECT_EQ(offerA.value("sdp", ""), "v=0 ann");
  EXPECT_FALSE(offerA.contains("camera")) << offerA.dump();
  // Fresh TURN credentials minted for the camera, not for the viewer.
  EXPECT_EQ(turnSubject(offerA["iceServers"]), cams[0].cameraId) << offerA.dump();
  json offerB = nextMessage(*camB);
  EXPECT_EQ(offerB.value("session", ""), "bob-session-1");
  EXPECT_EQ(offerB.value("sdp", ""), "v=0 bob");

  camA->send(answerMessage("ann-session-1", "answer from A").dump());
  camB->send(answerMessage("bob-session-1", "answer from B").dump());
  json answerA = nextNonStatus(*annViewer);
  EXPECT_EQ(answerA,
            (json{{"type", "answer"}, {"session", "ann-session-1"}, {"sdp", "answer from A"}}));
  json answerB = nextNonStatus(*bobViewer);
  EXPECT_EQ(answerB.value("sdp", ""), "answer from B");

  // Candidates both ways, including the end-of-candidates marker.
  annViewer->send(
      candidateMessage("ann-session-1", "candidate:1 1 udp 1 127.0.0.1 5000 typ host").dump());
  bobViewer->send(
      candidateMessage("bob-session-1", "candidate:2 1 udp 1 127.0.0.1 6000 typ host").dump());
  camA->send(
      candidateMessage("ann-session-1", "candidate:3 1 udp 1 127.0.0.1 7000 typ host").dump());
  camB->send(candidateMessage("bob-session-1", "").dump());

  json toCamA = nextMessage(*camA);
  EXPECT_EQ(toCamA,
            candidateMessage("ann-session-1", "candidate:1 1 udp 1 127.0.0.1 5000 typ host"));
  json toCamB = nextMessage(*camB);
  EXPECT_EQ(toCamB,
            candidateMessage("bob-session-1", "candidate:2 1 udp 1 127.0.0.1 6000 typ host"));
  json toAnn = nextNonStatus(*annViewer);
  EXPECT_EQ(toAnn,
            candidateMessage("ann-session-1", "candidate:3 1 udp 1 127.0.0.1 7000 typ host"));
  json toBob = nextNonStatus(*bobViewer);
  EXPECT_EQ(toBob, candidateMessage("bob-session-1", ""));

  // A viewer's bye reaches its camera and ends the session there.
  annViewer->send(byeMessage("ann-session-1").dump());
  EXPECT_EQ(nextMessage(*camA), byeMessage("ann-session-1"));
  camA->send(candidateMessage("ann-session-1", "late").dump());
  json late = nextMessage(*camA);
  EXPECT_EQ(late.value("code", ""), "not_found");
}

// Every message relayed is timed once, from its read to the write that sends it on
// (seccam_relay_duration_seconds), whichever IO threads the two ends are on.
TEST_F(ViewerRouting, EveryRelayedMessageIsTimedInTheRelayHistogram) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  claim(ann, cams[1]);
  auto camA = openCamera(cams[0]);
  auto camB = openCamera(cams[1]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-a", cams[0].cameraId).dump());
  viewer->send(offerMessage("session-b", cams[1].cameraId).dump());
  ASSERT_EQ(nextMessage(*camA).value("type", ""), "offer");
  ASSERT_EQ(nextMessage(*camB).value("type", ""), "offer");
  camA->send(answerMessage("session-a").dump());
  camB->send(answerMessage("session-b").dump());
  ASSERT_EQ(nextNonStatus(*viewer).value("type", ""), "answer");
  ASSERT_EQ(nextNonStatus(*viewer).value("type", ""), "answer");

  double countBefore = metric("seccam_relay_duration_seconds_count");
  double sumBefore = metric("seccam_relay_duration_seconds_sum");
  constexpr int kEachWay = 10;
  for (int i = 0; i < kEachWay; ++i) {
    for (const char* session : {"session-a", "session-b"}) {
      viewer->send(candidateMessage(session, "candidate:" + std::to_string(i)).dump());
    }
    camA->send(candidateMessage("session-a", "candidate:" + std::to_string(i)).dump());
    camB->send(candidateMessage("session-b", "candidate:" + std::to_string(i)).dump());
  }
  for (int i = 0; i < kEachWay; ++i) {
    EXPECT_EQ(nextMessage(*camA).value("type", ""), "candidate");
    EXPECT_EQ(nextMessage(*camB).value("type", ""), "candidate");
    EXPECT_EQ(nextNonStatus(*viewer).value("type", ""), "candidate");
    EXPECT_EQ(nextNonStatus(*viewer).value("type", ""), "candidate");
  }
  double count = metric("seccam_relay_duration_seconds_count");
  EXPECT_EQ(count - countBefore, 4 * kEachWay);
  EXPECT_GT(metric("seccam_relay_duration_seconds_sum"), sumBefore);
  // Cumulative buckets, the last one every message.
  EXPECT_EQ(metric("seccam_relay_duration_seconds_bucket{le=\"+Inf\"}"), count);
  EXPECT_LE(metric("seccam_relay_duration_seconds_bucket{le=\"2.5e-05\"}"),
            metric("seccam_relay_duration_seconds_bucket{le=\"0.001\"}"));
}

TEST_F(ViewerRouting, AnotherUserCannotReachACameraOrSessionByAnyMessage) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto camA = openCamera(cams[0]);
  auto annViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);

  annViewer->send(offerMessage("ann-session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camA).value("session", ""), "ann-session-1");

  // Offer to Ann's camera: exactly as if it did not exist.
  bobViewer->send(offerMessage("bob-session-1", cams[0].cameraId).dump());
  json refused = nextNonStatus(*bobViewer);
  EXPECT_EQ(refused.value("code", ""), "not_found") << refused.dump();
  EXPECT_EQ(refused.value("session", ""), "bob-session-1");
  // Ann's session ID from Bob's connection, even with Ann's camera named in it.
  json candidate = candidateMessage("ann-session-1", "candidate:evil");
  candidate["camera"] = cams[0].cameraId;
  bobViewer->send(candidate.dump());
  EXPECT_EQ(nextNonStatus(*bobViewer).value("code", ""), "not_found");
  bobViewer->send(byeMessage("ann-session-1").dump());
  EXPECT_EQ(nextNonStatus(*bobViewer).value("code", ""), "not_found");
  // Ann's session ID in an offer to Bob's own camera: refused too.
  bobViewer->send(offerMessage("ann-session-1", cams[1].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*bobViewer).value("code", ""), "not_found");

  // Nothing of Bob's reached the camera: the next thing it gets is Ann's marker, and the
  // session Bob tried to end still carries Ann's answer.
  annViewer->send(candidateMessage("ann-session-1", "candidate:marker").dump());
  EXPECT_EQ(nextMessage(*camA), candidateMessage("ann-session-1", "candidate:marker"));
  camA->send(answerMessage("ann-session-1").dump());
  EXPECT_EQ(nextNonStatus(*annViewer).value("type", ""), "answer");
}

TEST_F(ViewerRouting, ACamerasQualityReachesOnlyItsSessionsViewer) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto camA = openCamera(cams[0]);
  auto camB = openCamera(cams[1]);
  auto annViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);
  annViewer->send(offerMessage("ann-session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camA).value("session", ""), "ann-session-1");

  json quality{{"type", "quality"}, {"session", "ann-session-1"}, {"rendition", "medium"},
               {"width", 640}, {"height", 360}};
  camA->send(quality.dump());
  EXPECT_EQ(nextNonStatus(*annViewer), quality);
  // Another camera naming Ann's session gets not_found, and nothing reaches Ann.
  camB->send(quality.dump());
  EXPECT_EQ(nextMessage(*camB).value("code", ""), "not_found");
  // A viewer cannot send one.
  annViewer->send(quality.dump());
  EXPECT_EQ(nextNonStatus(*annViewer).value("code", ""), "bad_request");
  // A malformed one from the camera is refused and the session goes on.
  quality["height"] = 0;
  camA->send(quality.dump());
  EXPECT_EQ(nextMessage(*camA).value("code", ""), "bad_request");
  camA->send(answerMessage("ann-session-1").dump());
  EXPECT_EQ(nextNonStatus(*annViewer).value("type", ""), "answer");
}

TEST_F(ViewerRouting, ASessionIdBelongsToTheConnectionThatFirstUsedIt) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  auto camA = openCamera(cams[0]);
  auto first = openViewer(ann);
  auto second = openViewer(ann);  // same user, another tab
  first->send(offerMessage("shared-session", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camA).value("type", ""), "offer");
  second->send(candidateMessage("shared-session", "candidate:x").dump());
  EXPECT_EQ(nextNonStatus(*second).value("code", ""), "not_found");
  second->send(offerMessage("shared-session", cams[0].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*second).value("code", ""), "not_found");
  camA->send(answerMessage("shared-session").dump());
  EXPECT_EQ(nextNonStatus(*first).value("type", ""), "answer");
}

TEST_F(ViewerRouting, ForgedSenderFieldsAreIgnored) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto bob = registerAccount("bob", cams[1]);
  auto camA = openCamera(cams[0]);
  auto camB = openCamera(cams[1]);
  auto annViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);
  bobViewer->send(offerMessage("bob-session-1", cams[1].cameraId).dump());
  EXPECT_EQ(nextMessage(*camB).value("session", ""), "bob-session-1");
  annViewer->send(offerMessage("ann-session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camA).value("session", ""), "ann-session-1");

  // A viewer claiming to be someone else, or to target another camera.
  json forged = candidateMessage("ann-session-1", "candidate:forged");
  forged["camera"] = cams[1].cameraId;
  forged["user"] = "bob";
  forged["from"] = "bob";
  annViewer->send(forged.dump());
  json atA = nextMessage(*camA);
  EXPECT_EQ(atA, candidateMessage("ann-session-1", "candidate:forged")) << atA.dump();

  // A camera naming another camera or another viewer in its answer.
  json answer = answerMessage("ann-session-1");
  answer["camera"] = cams[1].cameraId;
  answer["viewer"] = "bob";
  camA->send(answer.dump());
  json atAnn = nextNonStatus(*annViewer);
  EXPECT_EQ(atAnn, answerMessage("ann-session-1")) << atAnn.dump();
  // The camera cannot answer a session of another camera.
  camA->send(answerMessage("bob-session-1").dump());
  EXPECT_EQ(nextMessage(*camA).value("code", ""), "not_found");
  camB->send(answerMessage("bob-session-1", "the real one").dump());
  EXPECT_EQ(nextNonStatus(*bobViewer).value("sdp", ""), "the real one");
}

TEST_F(ViewerRouting, ClaimingACameraMakesItWatchableOnOpenConnections) {
  auto cams = server.provision(2);
  auto ann = registerAccount("ann", cams[0]);
  auto camB = openCamera(cams[1]);
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("session-before", cams[1].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("code", ""), "not_found");
  claim(ann, cams[1]);
  EXPECT_EQ(nextMessage(*viewer),
            (json{{"type", "status"}, {"camera", cams[1].cameraId}, {"online", true}}));
  viewer->send(offerMessage("session-after", cams[1].cameraId).dump());
  EXPECT_EQ(nextMessage(*camB).value("session", ""), "session-after");
}

}  // namespace
}  // namespace seccam::test
