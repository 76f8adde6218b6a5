// The HTTP layer's side of the WebSockets: /ws is refused before any message without a
// session (401) or from a foreign Origin (403); accepted viewers and cameras reach the hub,
// which the API then reflects (online, last seen); a revoked camera is refused, and one
// revoked while connected is disconnected.
#include <fstream>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "server_test_client.hpp"

using namespace seccam::test;
using namespace std::chrono_literals;

// The server under test looks for revoked cameras every second instead of every five.
constexpr std::chrono::seconds kRevocationSweepInterval{1};

class WebSocketUpgrade : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--signaling-revocation-sweep-interval",
            std::to_string(kRevocationSweepInterval.count())};
  }

  // Authenticates as `camera` over /ws/camera; true when the hub welcomed it.
  bool connectCamera(WsClient& ws, const ProvisionedCamera& camera) {
    if (!ws.connect(server->host(), server->port(), "/ws/camera")) return false;
    auto challenge = ws.receive();
    if (!challenge) return false;
    std::string nonce = nlohmann::json::parse(*challenge)["nonce"];
    auto key = seccam::crypto::fromHex(camera.deviceKey);
    nlohmann::json auth{
        {"type", "auth"},
        {"camera", camera.cameraId},
        {"signature", seccam::identity::signChallenge(*key, nonce, camera.cameraId)}};
    ws.send(auth.dump());
    auto welcome = ws.receive();
    return welcome && nlohmann::json::parse(*welcome)["type"] == "welcome";
  }
};

TEST_F(WebSocketUpgrade, ViewerWithoutSessionIs401) {
  WsClient ws;
  EXPECT_FALSE(ws.connect(server->host(), server->port(), "/ws", {{"Origin", server->origin()}}));
  EXPECT_EQ(ws.refusedStatus(), 401);
  WsClient forged;
  EXPECT_FALSE(forged.connect(
      server->host(), server->port(), "/ws",
      {{"Origin", server->origin()}, {"Cookie", "seccam_session=" + std::string(64, '0')}}));
  EXPECT_EQ(forged.refusedStatus(), 401);
}

TEST_F(WebSocketUpgrade, ViewerFromAForeignOriginIs403) {
  auto cookie = signUp("ann");
  WsClient ws;
  EXPECT_FALSE(ws.connect(server->host(), server->port(), "/ws",
                          {{"Origin", "http://evil.example"}, {"Cookie", cookie}}));
  EXPECT_EQ(ws.refusedStatus(), 403);
  WsClient noOrigin;
  EXPECT_FALSE(noOrigin.connect(server->host(), server->port(), "/ws", {{"Cookie", cookie}}));
  EXPECT_EQ(noOrigin.refusedStatus(), 403);
}

TEST_F(WebSocketUpgrade, SignedInViewerIsGreetedWithItsCameras) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  WsClient ws;
  ASSERT_TRUE(ws.connect(server->host(), server->port(), "/ws",
                         {{"Origin", server->origin()}, {"Cookie", cookie}}));
  auto hello = ws.receive();
  ASSERT_TRUE(hello);
  auto message = nlohmann::json::parse(*hello);
  EXPECT_EQ(message["type"], "hello");
  EXPECT_EQ(message["user"]["username"], "ann");
  ASSERT_EQ(message["cameras"].size(), 1u);
  EXPECT_EQ(message["cameras"][0]["id"], camera.cameraId);
}

TEST_F(WebSocketUpgrade, ConnectedCameraIsOnlineWithLastSeenInTheApi) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  WsClient ws;
  ASSERT_TRUE(connectCamera(ws, camera));
  auto path = "/api/cameras/" + camera.cameraId;
  EXPECT_TRUE(
      waitFor([&] { return json(call("GET", path, "", cookie))["camera"]["online"] == true; }, 5s));
  EXPECT_TRUE(waitFor(
      [&] { return json(call("GET", path, "", cookie))["camera"]["lastSeen"].is_string(); }, 5s));
  auto metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("seccam_cameras_connected 1"), std::string::npos) << metrics;

  ws.close();
  EXPECT_TRUE(waitFor(
      [&] { return json(call("GET", path, "", cookie))["camera"]["online"] == false; }, 5s));
}

TEST_F(WebSocketUpgrade, RevokedCameraIsRefusedAtItsNextAuthentication) {
  auto camera = server->provision(1).at(0);
  {
    WsClient ws;
    ASSERT_TRUE(connectCamera(ws, camera));
  }
  auto revoke = runProgram(
      {serverBinary(), "camera", "revoke", camera.cameraId, "--data", server->dataDir()});
  ASSERT_EQ(revoke.exitCode, 0) << revoke.output;
  WsClient again;
  EXPECT_FALSE(connectCamera(again, camera));  // answered with an error, not welcome
  EXPECT_TRUE(waitFor(
      [&] {
        again.receive(200ms);
        return again.closed();
      },
      5s));
  EXPECT_EQ(again.closeCode(), 4401);
}

TEST_F(WebSocketUpgrade, ACameraRevokedWhileConnectedIsDisconnectedWith4401) {
  auto camera = server->provision(1).at(0);
  WsClient ws;
  ASSERT_TRUE(connectCamera(ws, camera));
  auto revoke = runProgram(
      {serverBinary(), "camera", "revoke", camera.cameraId, "--data", server->dataDir()});
  ASSERT_EQ(revoke.exitCode, 0) << revoke.output;
  // Within a sweep of the revocation (plus the time for the sweep to run).
  auto withinASweep = kRevocationSweepInterval + 5s;
  EXPECT_TRUE(waitFor(
      [&] {
        ws.receive(200ms);
        return ws.closed();
      },
      withinASweep));
  EXPECT_EQ(ws.closeCode(), 4401);
}

TEST_F(WebSocketUpgrade, SigningOutClosesTheSocketsOfThatSessionOnly) {
  auto cookie = signUp("ann");
  auto other = cookiePair(login("ann").header("set-cookie"));  // a second device of Ann's
  Headers origin{{"Origin", server->origin()}};
  WsClient signedOut, stillIn;
  ASSERT_TRUE(signedOut.connect(server->host(), server->port(), "/ws",
                                {{"Origin", server->origin()}, {"Cookie", cookie}}));
  ASSERT_TRUE(stillIn.connect(server->host(), server->port(), "/ws",
                              {{"Origin", server->origin()}, {"Cookie", other}}));
  ASSERT_TRUE(signedOut.receive());  // hello
  ASSERT_TRUE(stillIn.receive());
  ASSERT_EQ(call("POST", "/api/logout", "", cookie, origin).status, 204);
  // Within a sweep (plus the time for the sweep to run), with 4401 as for a bad cookie.
  EXPECT_TRUE(waitFor(
      [&] {
        signedOut.receive(200ms);
        return signedOut.closed();
      },
      kRevocationSweepInterval + 5s));
  EXPECT_EQ(signedOut.closeCode(), 4401);
  // The same account's other session keeps its socket.
  stillIn.receive(500ms);
  EXPECT_FALSE(stillIn.closed());
}
