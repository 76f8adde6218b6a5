// Several seccam-server nodes sharing one Redis ([bus] url) and one store (docs/BUS.md):
// a camera on one node and its viewer on another talk as on one node, with the same
// refusals; the newest camera connection wins across nodes; lock-outs, sign-outs and
// unclaims made on one node hold on the others; Redis going away and coming back is seen in
// /healthz and routing recovers without restarting any node.
// Every test here fails with SECCAM_TEST_CLUSTER_NO_BUS=1 (the same nodes without the bus).
#include "support/cluster.hpp"
#include "support/redis_process.hpp"

#include <algorithm>
#include <csignal>
#include <sstream>
#include <thread>

#include "common/crypto.hpp"
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

class ClusterTest : public ::testing::Test {
 protected:
  explicit ClusterTest(int nodes = 3, std::vector<std::string> extraArgs = {})
      : cluster(nodes, std::move(extraArgs),
                {{"SECCAM_TURN_SECRET", "signaling-test-secret"}, {"SECCAM_TURN_URLS", kTurnUrl}}) {
    crypto::initialize();
  }

  ServerProcess& node(std::size_t i) { return cluster.node(i); }

  Account registerAccount(ServerProcess& on, const std::string& username,
                          const ProvisionedCamera& camera) {
    json body{{"username", username},
              {"password", kPassword},
              {"cameraId", camera.cameraId},
              {"claimCode", camera.claimCode}};
    auto response = httpRequest(on.host(), on.port(), "POST", "/api/register", body.dump(),
                                {{"Content-Type", "application/json"}, {"Origin", on.origin()}});
    EXPECT_EQ(response.status, 201) << response.body;
    Account account{username, {}};
    for (const auto& setCookie : response.headerValues("set-cookie")) {
      auto pair = cookiePair(setCookie);
      if (pair.rfind("seccam_session=", 0) == 0) account.cookie = pair;
    }
    return account;
  }

  HttpResponse login(ServerProcess& on, const std::string& username, const std::string& password) {
    json body{{"username", username}, {"password", password}};
    return httpRequest(on.host(), on.port(), "POST", "/api/login", body.dump(),
                       {{"Content-Type", "application/json"}, {"Origin", on.origin()}});
  }

  std::unique_ptr<WsClient> openViewer(ServerProcess& on, const Account& account,
                                       json* hello = nullptr) {
    auto client = std::make_unique<WsClient>();
    bool connected = client->connect(on.host(), on.port(), "/ws",
                                     {{"Cookie", account.cookie}, {"Origin", on.origin()}});
    EXPECT_TRUE(connected) << "viewer upgrade refused with " << client->refusedStatus();
    if (!connected) return client;
    json first = nextMessage(*client);
    EXPECT_EQ(first.value("type", ""), "hello") << first.dump();
    if (hello) *hello = first;
    return client;
  }

  std::unique_ptr<WsClient> openCamera(ServerProcess& on, const ProvisionedCamera& camera) {
    auto client = std::make_unique<WsClient>();
    bool connected = client->connect(on.host(), on.port(), "/ws/camera");
    EXPECT_TRUE(connected) << "camera upgrade refused with " << client->refusedStatus();
    if (!connected) return client;
    json challenge = nextMessage(*client);
    json auth{{"type", "auth"},
              {"camera", camera.cameraId},
              {"signature",
               signatureFor(camera.deviceKey, challenge.value("nonce", ""), camera.cameraId)}};
    client->send(auth.dump());
    json reply = nextMessage(*client);
    EXPECT_EQ(reply.value("type", ""), "welcome") << reply.dump();
    return client;
  }

  // Where most tests start: a camera provisioned on node 0 and claimed by ann, her viewer on
  // `viewerNode` (told the camera is online), the camera connected to node 0, and the
  // viewer's offer of session-1 arrived at the camera.
  struct Watching {
    ProvisionedCamera cam;
    Account ann;
    std::unique_ptr<WsClient> viewer;
    std::unique_ptr<WsClient> camera;
  };
  Watching watchFrom(std::size_t viewerNode) {
    Watching w;
    w.cam = node(0).provision(1).at(0);
    w.ann = registerAccount(node(0), "ann", w.cam);
    w.viewer = openViewer(node(viewerNode), w.ann);
    w.camera = openCamera(node(0), w.cam);
    expectStatus(*w.viewer, w.cam.cameraId, true);
    w.viewer->send(offerMessage("session-1", w.cam.cameraId).dump());
    EXPECT_EQ(nextMessage(*w.camera).value("session", ""), "session-1");
    return w;
  }

  // GET /api/cameras/{id} on a node, as the account.
  json cameraInfo(ServerProcess& on, const Account& account, const std::string& cameraId) {
    auto response = httpRequest(on.host(), on.port(), "GET", "/api/cameras/" + cameraId, "",
                                {{"Cookie", account.cookie}});
    EXPECT_EQ(response.status, 200) << response.body;
    json body = json::parse(response.body, nullptr, false);
    return body.is_object() && body.contains("camera") ? body["camera"] : json::object();
  }

  // The status push for `cameraId` with `online`, skipping others (fails on timeout).
  static void expectStatus(WsClient& viewer, const std::string& cameraId, bool online) {
    for (int i = 0; i < 10; ++i) {
      json m = nextMessage(viewer);
      if (m.empty()) return;  // nextMessage failed the test
      if (m.value("type", "") == "status" && m.value("camera", "") == cameraId &&
          m.value("online", !online) == online)
        return;
    }
    ADD_FAILURE() << "no status " << online << " for " << cameraId;
  }

  Cluster cluster;
};

const json* findCamera(const json& hello, const std::string& id) {
  for (const auto& c : hello["cameras"]) {
    if (c.value("id", "") == id) return &c;
  }
  return nullptr;
}

TEST_F(ClusterTest, ACameraOnNodeAAndItsViewerOnNodeBTalkAsOnOneNode) {
  auto cams = node(0).provision(1);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto viewer = openViewer(node(1), ann);
  auto camera = openCamera(node(0), cams[0]);
  // Presence reaches node B's viewer and node C's API.
  expectStatus(*viewer, cams[0].cameraId, true);
  EXPECT_TRUE(waitFor(
      [&] {
        json info = cameraInfo(node(2), ann, cams[0].cameraId);
        return info.value("online", false) && !info["lastSeen"].is_null();
      },
      std::chrono::seconds(5)))
      << cameraInfo(node(2), ann, cams[0].cameraId).dump();
  json hello;
  auto lateViewer = openViewer(node(2), ann, &hello);
  ASSERT_NE(findCamera(hello, cams[0].cameraId), nullptr) << hello.dump();
  EXPECT_EQ((*findCamera(hello, cams[0].cameraId))["online"], true);

  viewer->send(offerMessage("session-1", cams[0].cameraId, "v=0 ann").dump());
  json offer = nextMessage(*camera);
  EXPECT_EQ(offer.value("type", ""), "offer");
  EXPECT_EQ(offer.value("session", ""), "session-1");
  EXPECT_EQ(offer.value("sdp", ""), "v=0 ann");
  EXPECT_FALSE(offer.contains("camera")) << offer.dump();
  EXPECT_EQ(turnSubject(offer["iceServers"]), cams[0].cameraId) << offer.dump();

  camera->send(answerMessage("session-1", "answer from A").dump());
  EXPECT_EQ(nextNonStatus(*viewer),
            (json{{"type", "answer"}, {"session", "session-1"}, {"sdp", "answer from A"}}));
  // What comes over the bus is timed on the node that sends it on (node B here), from its
  // arrival there.
  double timedOnB = metricOf(node(1), "seccam_relay_duration_seconds_count");
  viewer->send(candidateMessage("session-1", "candidate:1 1 udp 1 127.0.0.1 5000 typ host").dump());
  EXPECT_EQ(nextMessage(*camera),
            candidateMessage("session-1", "candidate:1 1 udp 1 127.0.0.1 5000 typ host"));
  camera->send(candidateMessage("session-1", "").dump());
  EXPECT_EQ(nextNonStatus(*viewer), candidateMessage("session-1", ""));
  EXPECT_GE(metricOf(node(1), "seccam_relay_duration_seconds_count"), timedOnB + 1);
  json quality{{"type", "quality"},
               {"session", "session-1"},
               {"rendition", "medium"},
               {"width", 640},
               {"height", 360}};
  camera->send(quality.dump());
  EXPECT_EQ(nextNonStatus(*viewer), quality);

  // The viewer's bye ends the session on both nodes.
  viewer->send(byeMessage("session-1").dump());
  EXPECT_EQ(nextMessage(*camera), byeMessage("session-1"));
  camera->send(candidateMessage("session-1", "late").dump());
  EXPECT_EQ(nextMessage(*camera).value("code", ""), "not_found");

  // A viewer leaving: the camera gets viewer_left; the camera leaving: camera_offline + status.
  viewer->send(offerMessage("session-2", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-2");
  lateViewer->send(offerMessage("session-3", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-3");
  lateViewer->close();
  json left = nextMessage(*camera);
  EXPECT_EQ(left.value("session", ""), "session-3");
  EXPECT_EQ(left.value("reason", ""), "viewer_left");
  camera->close();
  json bye = nextNonStatus(*viewer);
  EXPECT_EQ(bye.value("session", ""), "session-2");
  EXPECT_EQ(bye.value("reason", ""), "camera_offline");
  expectStatus(*viewer, cams[0].cameraId, false);
  EXPECT_TRUE(
      waitFor([&] { return !cameraInfo(node(2), ann, cams[0].cameraId).value("online", true); },
              std::chrono::seconds(5)));
}

// A node's channel carries plain envelopes (docs/BUS.md); whatever else lands on it, cut
// short, with fields that are no numbers, or naming connections and sessions this node does not
// have, is dropped, and the nodes go on relaying the sessions they have.
TEST_F(ClusterTest, BrokenEnvelopesOnTheBusAreDroppedAndRelayingGoesOn) {
  auto w = watchFrom(1);

  auto channels = cluster.redis().cli({"PUBSUB", "CHANNELS", "seccam:node:*"});
  ASSERT_EQ(std::count(channels.begin(), channels.end(), '\n'), 2) << channels;  // 3 nodes
  const std::string junkCandidate = candidateMessage("session-1", "junk").dump();
  const std::vector<std::string> junk = {
      "m\n",
      "m\nnode\n1\nv\n1\nsession-1",                   // the header cut short
      "m\nnode\nnot-a-number\nv\n1\nsession-1\ncandidate\n" + junkCandidate,
      "m\nnode\n1\nx\n1\nsession-1\ncandidate\n" + junkCandidate,     // neither c nor v
      "m\nnode\n18446744073709551616\nv\n1\nsession-1\ncandidate\n",  // past 64 bits
      "m\nffffffffffffffff\n1\nv\n1\nsession-1\ncandidate\n" + junkCandidate,  // no such node
      "m\n\n\n\n\n\n\n",
      "not json",
      R"({"t":"refused"})",
  };
  std::istringstream names(channels);
  for (std::string channel; std::getline(names, channel);) {
    for (const auto& payload : junk) cluster.redis().cli({"PUBLISH", channel, payload});
  }
  // The session still works both ways, and nothing of the junk reached either end first.
  const std::string kCandidate = "candidate:1 1 udp 1 127.0.0.1 5000 typ host";
  w.viewer->send(candidateMessage("session-1", kCandidate).dump());
  EXPECT_EQ(nextMessage(*w.camera), candidateMessage("session-1", kCandidate));
  w.camera->send(answerMessage("session-1", "answer from A").dump());
  EXPECT_EQ(nextNonStatus(*w.viewer),
            (json{{"type", "answer"}, {"session", "session-1"}, {"sdp", "answer from A"}}));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(httpRequest(node(i).host(), node(i).port(), "GET", "/healthz").status, 200) << i;
  }
}

TEST_F(ClusterTest, AnotherAccountCannotReachACameraOnAnotherNodeByAnyMessage) {
  auto cams = node(0).provision(2);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto bob = registerAccount(node(1), "bob", cams[1]);
  auto camA = openCamera(node(0), cams[0]);
  auto camB = openCamera(node(2), cams[1]);
  json hello;
  auto annViewer = openViewer(node(1), ann, &hello);
  ASSERT_NE(findCamera(hello, cams[0].cameraId), nullptr) << hello.dump();
  EXPECT_EQ((*findCamera(hello, cams[0].cameraId))["online"], true);
  EXPECT_EQ(findCamera(hello, cams[1].cameraId), nullptr);  // Bob's
  auto bobViewer = openViewer(node(1), bob);
  auto bobElsewhere = openViewer(node(2), bob);

  annViewer->send(offerMessage("ann-session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camA).value("session", ""), "ann-session-1");

  for (auto* bobViewerOn : {bobViewer.get(), bobElsewhere.get()}) {
    // Offer to Ann's camera (on another node): exactly as if it did not exist.
    bobViewerOn->send(offerMessage("bob-session-1", cams[0].cameraId).dump());
    json refused = nextNonStatus(*bobViewerOn);
    EXPECT_EQ(refused.value("code", ""), "not_found") << refused.dump();
    EXPECT_EQ(refused.value("session", ""), "bob-session-1");
    json candidate = candidateMessage("ann-session-1", "candidate:evil");
    candidate["camera"] = cams[0].cameraId;
    bobViewerOn->send(candidate.dump());
    EXPECT_EQ(nextNonStatus(*bobViewerOn).value("code", ""), "not_found");
    bobViewerOn->send(byeMessage("ann-session-1").dump());
    EXPECT_EQ(nextNonStatus(*bobViewerOn).value("code", ""), "not_found");
  }
  // Ann's session goes on, and Bob still reaches his own camera.
  camA->send(answerMessage("ann-session-1").dump());
  EXPECT_EQ(nextNonStatus(*annViewer).value("type", ""), "answer");
  bobElsewhere->send(offerMessage("bob-own-session", cams[1].cameraId).dump());
  EXPECT_EQ(nextMessage(*camB).value("session", ""), "bob-own-session");

  // A session ID belongs to the connection that first used it, across nodes too: Ann's
  // second tab on node C cannot join the session her first tab on node B opened.
  auto annOnC = openViewer(node(2), ann);
  annOnC->send(candidateMessage("ann-session-1", "candidate:x").dump());
  EXPECT_EQ(nextNonStatus(*annOnC).value("code", ""), "not_found");
  annOnC->send(offerMessage("ann-session-1", cams[0].cameraId).dump());
  json hijack = nextNonStatus(*annOnC);
  EXPECT_EQ(hijack.value("code", ""), "not_found") << hijack.dump();
  EXPECT_EQ(hijack.value("session", ""), "ann-session-1");

  // Nothing of Bob's (nor of the second tab) reached Ann's camera; her session goes on.
  annViewer->send(candidateMessage("ann-session-1", "candidate:marker").dump());
  EXPECT_EQ(nextMessage(*camA), candidateMessage("ann-session-1", "candidate:marker"));
  // And a camera cannot answer into a session that is not its own.
  camB->send(answerMessage("ann-session-1", "from bob's camera").dump());
  EXPECT_EQ(nextMessage(*camB).value("code", ""), "not_found");
  camA->send(answerMessage("ann-session-1", "from ann's camera").dump());
  EXPECT_EQ(nextNonStatus(*annViewer).value("sdp", ""), "from ann's camera");
}

TEST_F(ClusterTest, TheNewestCameraConnectionWinsAcrossNodes) {
  auto w = watchFrom(2);

  auto second = openCamera(node(1), w.cam);
  EXPECT_EQ(closeCodeAfterDrain(*w.camera), 4409);
  json bye = nextNonStatus(*w.viewer);
  EXPECT_EQ(bye.value("session", ""), "session-1");
  EXPECT_EQ(bye.value("reason", ""), "camera_reconnected");
  // The camera stayed online throughout, and offers now reach the newer connection.
  w.viewer->send(offerMessage("session-2", w.cam.cameraId).dump());
  EXPECT_EQ(nextMessage(*second).value("session", ""), "session-2");
  EXPECT_EQ(cameraInfo(node(2), w.ann, w.cam.cameraId).value("online", false), true);

  // And back the other way.
  auto third = openCamera(node(0), w.cam);
  EXPECT_EQ(closeCodeAfterDrain(*second), 4409);
  EXPECT_EQ(nextNonStatus(*w.viewer).value("reason", ""), "camera_reconnected");
  w.viewer->send(offerMessage("session-3", w.cam.cameraId).dump());
  EXPECT_EQ(nextMessage(*third).value("session", ""), "session-3");
}

TEST_F(ClusterTest, ALockOutMadeOnOneNodeHoldsOnTheOthers) {
  auto cams = node(0).provision(1);
  registerAccount(node(0), "ann", cams[0]);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login(node(0), "ann", "Wrong-Horse-9").status, 401);
  for (std::size_t n : {0u, 1u, 2u}) {
    auto refused = login(node(n), "ann", kPassword);
    EXPECT_EQ(refused.status, 429) << "node " << n << ": " << refused.body;
    EXPECT_FALSE(refused.header("retry-after").empty());
  }
}

TEST_F(ClusterTest, ACameraClaimedOnOneNodeBecomesWatchableOnAnother) {
  auto cams = node(0).provision(2);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto camera = openCamera(node(2), cams[1]);
  auto viewer = openViewer(node(1), ann);
  viewer->send(offerMessage("session-1", cams[1].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("code", ""), "not_found");

  json body{{"cameraId", cams[1].cameraId}, {"claimCode", cams[1].claimCode}};
  auto response = httpRequest(node(0).host(), node(0).port(), "POST", "/api/cameras", body.dump(),
                              {{"Content-Type", "application/json"},
                               {"Origin", node(0).origin()},
                               {"Cookie", ann.cookie}});
  ASSERT_EQ(response.status, 201) << response.body;
  expectStatus(*viewer, cams[1].cameraId, true);
  viewer->send(offerMessage("session-2", cams[1].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-2");
}

TEST_F(ClusterTest, ACamerasEventOnOneNodeReachesItsOwnersPageOnAnotherOnly) {
  auto cams = node(0).provision(2);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto bob = registerAccount(node(0), "bob", cams[1]);
  auto annViewer = openViewer(node(1), ann);
  auto bobViewer = openViewer(node(1), bob);
  auto camera = openCamera(node(0), cams[0]);
  expectStatus(*annViewer, cams[0].cameraId, true);
  camera->send(json{{"type", "event"},
                    {"id", "20261201-030405-678"},
                    {"kind", "motion"},
                    {"start", 1764558245678},
                    {"score", 0.04}}
                   .dump());
  json pushed;
  for (int i = 0; i < 10; ++i) {
    pushed = nextMessage(*annViewer);
    if (pushed.empty() || pushed.value("type", "") == "event") break;
  }
  EXPECT_EQ(pushed.value("type", ""), "event") << pushed.dump();
  EXPECT_EQ(pushed.value("camera", ""), cams[0].cameraId);
  EXPECT_EQ(pushed["event"].value("id", ""), "20261201-030405-678");
  // Bob's page on the same node hears nothing of it.
  for (int i = 0; i < 5; ++i) {
    auto text = bobViewer->receive(std::chrono::milliseconds(300));
    if (!text) break;
    EXPECT_EQ(json::parse(*text, nullptr, false).value("type", ""), "status") << *text;
  }
}

class ClusterSweepOff : public ClusterTest {
 protected:
  // The revocation sweep would close the sockets too, seconds later: keep it out of the way
  // so that what is tested is the bus.
  ClusterSweepOff() : ClusterTest(2, {"--signaling-revocation-sweep-interval", "300"}) {}
};

TEST_F(ClusterSweepOff, SigningOutOnOneNodeClosesTheSessionsSocketsOnAnother) {
  auto cams = node(0).provision(1);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto viewer = openViewer(node(1), ann);
  auto response = httpRequest(node(0).host(), node(0).port(), "POST", "/api/logout", "",
                              {{"Origin", node(0).origin()}, {"Cookie", ann.cookie}});
  EXPECT_EQ(response.status, 204) << response.body;
  EXPECT_EQ(closeCodeAfterDrain(*viewer, std::chrono::seconds(5)), 4401);
}

TEST_F(ClusterSweepOff, UnclaimingOnOneNodeCutsAViewerOnAnother) {
  auto cams = node(0).provision(1);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto camera = openCamera(node(0), cams[0]);
  auto viewer = openViewer(node(1), ann);
  viewer->send(offerMessage("session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-1");

  auto response =
      httpRequest(node(0).host(), node(0).port(), "DELETE", "/api/cameras/" + cams[0].cameraId, "",
                  {{"Origin", node(0).origin()}, {"Cookie", ann.cookie}});
  EXPECT_EQ(response.status, 204) << response.body;
  json bye = nextNonStatus(*viewer);
  EXPECT_EQ(bye.value("session", ""), "session-1");
  EXPECT_EQ(bye.value("reason", ""), "unclaimed");
  json cameraBye = nextMessage(*camera);
  EXPECT_EQ(cameraBye.value("session", ""), "session-1");
  EXPECT_EQ(cameraBye.value("reason", ""), "unclaimed");
  // The open connection on node B may no longer watch it.
  viewer->send(offerMessage("session-2", cams[0].cameraId).dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("code", ""), "not_found");
}

class ClusterFastSweep : public ClusterTest {
 protected:
  ClusterFastSweep() : ClusterTest(2, {"--signaling-revocation-sweep-interval", "1"}) {}
};

TEST_F(ClusterFastSweep, ACameraRevokedWhileOnNodeAIsCutAndShownOfflineOnNodeB) {
  auto w = watchFrom(1);

  auto revoke = runProgram(
      {serverBinary(), "camera", "revoke", w.cam.cameraId, "--data", cluster.dataDir()});
  ASSERT_EQ(revoke.exitCode, 0) << revoke.output;
  EXPECT_EQ(closeCodeAfterDrain(*w.camera), 4401);
  json bye = nextNonStatus(*w.viewer);
  EXPECT_EQ(bye.value("session", ""), "session-1");
  EXPECT_EQ(bye.value("reason", ""), "camera_offline");
  EXPECT_TRUE(
      waitFor([&] { return !cameraInfo(node(1), w.ann, w.cam.cameraId).value("online", true); },
              std::chrono::seconds(5)));
  // It cannot come back on the other node either.
  auto again = std::make_unique<WsClient>();
  ASSERT_TRUE(again->connect(node(1).host(), node(1).port(), "/ws/camera"));
  json challenge = nextMessage(*again);
  again->send(json{{"type", "auth"},
                   {"camera", w.cam.cameraId},
                   {"signature", signatureFor(w.cam.deviceKey, challenge.value("nonce", ""),
                                              w.cam.cameraId)}}
                  .dump());
  EXPECT_EQ(closeCodeAfterDrain(*again), 4401);
}

class ClusterOfTwo : public ClusterTest {
 protected:
  ClusterOfTwo() : ClusterTest(2) {}
};

TEST_F(ClusterOfTwo, RedisRestartedMidStreamIsSeenInHealthAndRoutingRecoversByItself) {
  auto cams = node(0).provision(1);
  auto ann = registerAccount(node(0), "ann", cams[0]);
  auto camera = openCamera(node(0), cams[0]);
  auto viewer = openViewer(node(1), ann);
  viewer->send(offerMessage("session-1", cams[0].cameraId).dump());
  EXPECT_EQ(nextMessage(*camera).value("session", ""), "session-1");
  EXPECT_EQ(cluster.health(0), 200);
  EXPECT_EQ(cluster.health(1), 200);

  cluster.redis().kill();
  EXPECT_TRUE(waitFor([&] { return cluster.health(0) == 503 && cluster.health(1) == 503; },
                      std::chrono::seconds(5)));
  // Node B can no longer see the camera: its viewer's session is over, and an offer meanwhile
  // is answered `unavailable` (not `camera_offline`: node B cannot tell).
  json bye = nextNonStatus(*viewer);
  EXPECT_EQ(bye.value("session", ""), "session-1");
  expectStatus(*viewer, cams[0].cameraId, false);
  viewer->send(offerMessage("session-2", cams[0].cameraId).dump());
  json refused = nextNonStatus(*viewer);
  EXPECT_EQ(refused.value("code", ""), "unavailable") << refused.dump();
  EXPECT_EQ(refused.value("session", ""), "session-2");
  // Node A's own camera stays connected.
  EXPECT_FALSE(camera->closed());

  cluster.redis().start();  // empty: it persisted nothing
  EXPECT_TRUE(waitFor([&] { return cluster.health(0) == 200 && cluster.health(1) == 200; },
                      std::chrono::seconds(10)));
  expectStatus(*viewer, cams[0].cameraId, true);
  viewer->send(offerMessage("session-3", cams[0].cameraId).dump());
  json offer = nextMessage(*camera);
  // The camera may first get the viewer_left of the session the outage ended.
  if (offer.value("type", "") == "bye") offer = nextMessage(*camera);
  EXPECT_EQ(offer.value("session", ""), "session-3");
  camera->send(answerMessage("session-3").dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("type", ""), "answer");
}

TEST_F(ClusterOfTwo, ARedisThatStopsAnsweringWithoutClosingIsNoticedToo) {
  // SIGSTOP: the sockets stay open and nothing answers, as behind a network cut.
  EXPECT_EQ(cluster.health(0), 200);
  ASSERT_EQ(::kill(cluster.redis().process().pid(), SIGSTOP), 0);
  EXPECT_TRUE(waitFor([&] { return cluster.health(0) == 503 && cluster.health(1) == 503; },
                      std::chrono::seconds(8)));
  ASSERT_EQ(::kill(cluster.redis().process().pid(), SIGCONT), 0);
  EXPECT_TRUE(waitFor([&] { return cluster.health(0) == 200 && cluster.health(1) == 200; },
                      std::chrono::seconds(10)));
}

TEST_F(ClusterOfTwo, ANodeThatDiesTakesItsCamerasOfflineOnTheOthersUntilTheyReconnect) {
  auto w = watchFrom(1);

  node(0).process().stop(SIGKILL);  // no goodbye on the bus
  json bye = nextNonStatus(*w.viewer, std::chrono::seconds(20));
  EXPECT_EQ(bye.value("session", ""), "session-1");
  EXPECT_EQ(bye.value("reason", ""), "camera_offline");
  expectStatus(*w.viewer, w.cam.cameraId, false);
  EXPECT_FALSE(cameraInfo(node(1), w.ann, w.cam.cameraId).value("online", true));

  // The camera comes back through the surviving node.
  auto again = openCamera(node(1), w.cam);
  expectStatus(*w.viewer, w.cam.cameraId, true);
  w.viewer->send(offerMessage("session-2", w.cam.cameraId).dump());
  EXPECT_EQ(nextMessage(*again).value("session", ""), "session-2");
}

// [bus] url may carry credentials: a node signs in to a Redis that asks for them, with
// Redis's requirepass or an ACL user, and works. With a wrong password, or none, it keeps
// serving, answers 503 in /healthz (so a balancer sends it nobody) and keeps trying: once
// Redis takes its password it is back by itself. No password ever reaches a node's log.
TEST(ClusterRedisCredentials, NodesSignInWithTheUrlsCredentialsAndStayOutOfServiceWhenRefused) {
  const std::string password = "requirepass-S3cret";
  const std::string aclPassword = "p@ss:w/rd";
  const std::string wrongPassword = "not-the-password";
  RedisProcess redis(password);
  ASSERT_EQ(redis.cli({"ACL", "SETUSER", "seccam", "on", ">" + aclPassword, "~*", "&*", "+@all"}), "OK");
  auto url = [&](const std::string& credentials) {
    return "redis://" + credentials + "127.0.0.1:" + std::to_string(redis.port());
  };
  auto health = [](unsigned short port) {
    return httpRequest("127.0.0.1", port, "GET", "/healthz", "", {}, std::chrono::milliseconds(2000)).status;
  };
  auto expectNoPassword = [&](const std::string& log) {
    for (const auto& secret : {password, aclPassword, wrongPassword}) {
      EXPECT_EQ(log.find(secret), std::string::npos) << secret;
    }
  };
  {
    // Each waits for /healthz 200, which a node with a bus answers only once connected.
    ServerProcess requirepass({"--bus-url", url(":" + password + "@")});
    ServerProcess aclUser({"--bus-url", url("seccam:p%40ss%3Aw%2Frd@")});
    EXPECT_EQ(health(requirepass.port()), 200);
    EXPECT_EQ(health(aclUser.port()), 200);
    expectNoPassword(requirepass.process().log());
    expectNoPassword(aclUser.process().log());
  }
  // No credentials, the ACL user's name with another password, then a wrong requirepass one.
  const std::vector<std::string> refused{"", "seccam:" + password + "@", ":" + wrongPassword + "@"};
  for (const auto& credentials : refused) {
    SCOPED_TRACE(credentials);
    TempDir data;
    auto port = freePort();
    ChildProcess node({serverBinary(), "serve", "--listen", "127.0.0.1:" + std::to_string(port), "--data",
                       data.path(), "--bus-url", url(credentials)},
                      data.path() + "/server.log");
    ASSERT_TRUE(waitFor([&] { return health(port) != 0; }, std::chrono::seconds(10))) << node.log();
    // Serving (it answers), but out of service, over several of its retries.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    int answered = 0, healthy = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      auto status = health(port);
      answered += status != 0;
      healthy += status == 200;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GT(answered, 0);
    EXPECT_EQ(healthy, 0);
    EXPECT_TRUE(node.running());
    if (&credentials == &refused.back()) {
      // Redis now takes that password: the node comes back without a restart.
      ASSERT_EQ(redis.cli({"CONFIG", "SET", "requirepass", wrongPassword}), "OK");
      EXPECT_TRUE(waitFor([&] { return health(port) == 200; }, std::chrono::seconds(10))) << node.log();
    }
    expectNoPassword(node.log());
  }
}

}  // namespace
}  // namespace seccam::test
