// /api/cameras: list, claim, rename, unclaim; other people's cameras do not exist; the
// ICE servers endpoint mints TURN credentials per PROTOCOL.md.
#include <chrono>
#include <optional>
#include <thread>

#include "common/crypto.hpp"
#include "server_test_client.hpp"

using namespace seccam::test;

class Cameras : public ServerTest {
 protected:
  HttpResponse claim(const std::string& cookie, const ProvisionedCamera& camera,
                     const std::string& name = "") {
    nlohmann::json body{{"cameraId", camera.cameraId}, {"claimCode", camera.claimCode}};
    if (!name.empty()) body["name"] = name;
    return call("POST", "/api/cameras", body.dump(), cookie);
  }
};

TEST_F(Cameras, ClaimRenameAndUnclaim) {
  ProvisionedCamera first;
  auto cookie = signUp("ann", &first);
  auto second = server->provision(1).at(0);

  auto claimed = claim(cookie, second, "Garden");
  ASSERT_EQ(claimed.status, 201) << claimed.body;
  EXPECT_EQ(json(claimed)["camera"]["id"], second.cameraId);
  EXPECT_EQ(json(claimed)["camera"]["name"], "Garden");
  EXPECT_EQ(json(claimed)["camera"]["online"], false);
  EXPECT_EQ(json(call("GET", "/api/cameras", "", cookie))["cameras"].size(), 2u);

  auto path = "/api/cameras/" + second.cameraId;
  auto renamed = call("PATCH", path, R"({"name":"Back garden <b>"})", cookie);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(json(renamed)["camera"]["name"], "Back garden <b>");
  EXPECT_EQ(json(call("GET", path, "", cookie))["camera"]["name"], "Back garden <b>");

  EXPECT_EQ(call("DELETE", path, "", cookie).status, 204);
  EXPECT_EQ(call("GET", path, "", cookie).status, 404);
  auto list = json(call("GET", "/api/cameras", "", cookie))["cameras"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], first.cameraId);
  // Unclaimed, it can be claimed again (by anyone holding its code).
  EXPECT_EQ(claim(signUp("bob"), second).status, 201);
}

TEST_F(Cameras, ClaimingTwiceIsAConflict) {
  ProvisionedCamera camera;
  auto ann = signUp("ann", &camera);
  EXPECT_EQ(claim(ann, camera).status, 409);
  auto bob = signUp("bob");
  auto response = claim(bob, camera);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(json(response)["error"]["code"], "conflict");
}

TEST_F(Cameras, RenameIsValidated) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  auto path = "/api/cameras/" + camera.cameraId;
  auto empty = call("PATCH", path, R"({"name":""})", cookie);
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(json(empty)["error"]["fields"]["name"], "Name must not be empty.");
  auto tooLong = call("PATCH", path, nlohmann::json{{"name", std::string(65, 'x')}}.dump(), cookie);
  EXPECT_EQ(tooLong.status, 400);
  auto wrongType = call("PATCH", path, R"({"name":7})", cookie);
  EXPECT_EQ(json(wrongType)["error"]["fields"]["name"], "Name must be text.");
  EXPECT_EQ(json(call("GET", path, "", cookie))["camera"]["name"], camera.cameraId);
}

TEST_F(Cameras, AnotherUsersCameraIs404OnEveryEndpoint) {
  ProvisionedCamera annsCamera;
  auto ann = signUp("ann", &annsCamera);
  auto bob = signUp("bob");
  auto path = "/api/cameras/" + annsCamera.cameraId;
  auto missing = "/api/cameras/sc-DOESNOTEXIST0000";

  auto get = call("GET", path, "", bob);
  auto getMissing = call("GET", missing, "", bob);
  EXPECT_EQ(get.status, 404);
  EXPECT_EQ(get.body, getMissing.body);  // indistinguishable from a camera that does not exist
  EXPECT_EQ(call("PATCH", path, R"({"name":"Mine"})", bob).status, 404);
  EXPECT_EQ(call("PATCH", path, R"({"name":""})", bob).status, 404);
  EXPECT_EQ(call("DELETE", path, "", bob).status, 404);
  auto bobs = json(call("GET", "/api/cameras", "", bob))["cameras"];
  for (const auto& c : bobs) EXPECT_NE(c["id"], annsCamera.cameraId);

  auto annsView = json(call("GET", path, "", ann));
  EXPECT_EQ(annsView["camera"]["name"], annsCamera.cameraId);
}

TEST_F(Cameras, ClaimFailuresAreRateLimited) {
  auto cookie = signUp("ann");
  auto camera = server->provision(1).at(0);
  auto wrong = camera;
  wrong.claimCode = camera.claimCode[0] == 'A' ? "B" + camera.claimCode.substr(1)
                                               : "A" + camera.claimCode.substr(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(claim(cookie, wrong).status, 400) << i;
  auto limited = claim(cookie, camera);
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_EQ(json(call("GET", "/api/cameras", "", cookie))["cameras"].size(), 1u);
}

class IceServers : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--turn-secret", "s3cret",
            "--turn-urls",   "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349",
            "--turn-ttl",    "600"};
  }
};

TEST_F(IceServers, CredentialsFollowTheTurnRestScheme) {
  seccam::crypto::initialize();
  auto cookie = signUp("ann");
  auto response = call("GET", "/api/ice-servers", "", cookie);
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = json(response);
  EXPECT_EQ(body["ttl"], 600);
  ASSERT_EQ(body["iceServers"].size(), 1u);
  auto server0 = body["iceServers"][0];
  EXPECT_EQ(server0["urls"],
            nlohmann::json({"turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"}));
  std::string username = server0["username"];
  auto colon = username.find(':');
  ASSERT_NE(colon, std::string::npos);
  EXPECT_EQ(username.substr(colon + 1), "ann");
  auto expiry = std::stoll(username.substr(0, colon));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  EXPECT_GT(expiry, now);            // not yet expired
  EXPECT_LE(expiry, now + 600 + 1);  // and no longer than the ttl
  EXPECT_EQ(server0["credential"], seccam::crypto::base64Encode(seccam::crypto::hmacSha1(
                                       seccam::crypto::asBytes("s3cret"), username)));
}

// Issue 11, H1: a viewer WebSocket opened at the moment its owner removes the camera must not
// keep it watchable. The upgrade reads the owner's cameras off the hub's lock; the hub applies
// any unclaim that landed in between when the connection joins.
TEST_F(Cameras, AViewerSocketOpenedWhileTheCameraIsRemovedCannotReachIt) {
  constexpr int kRounds = 12;
  auto bobCookie = signUp("bob");
  auto cameras = server->provision(kRounds);
  for (int round = 0; round < kRounds; ++round) {
    const auto& camera = cameras[static_cast<std::size_t>(round)];
    std::string name = "ann" + std::to_string(round);
    auto registered = registerAccount(name, camera);
    ASSERT_EQ(registered.status, 201) << registered.body;
    auto annCookie = cookiePair(registered.header("set-cookie"));
    WsClient ws;
    bool opened = false;
    std::thread upgrade([&] {
      opened = ws.connect(server->host(), server->port(), "/ws",
                          {{"Origin", server->origin()}, {"Cookie", annCookie}});
    });
    auto removed = call("DELETE", "/api/cameras/" + camera.cameraId, "", annCookie);
    upgrade.join();
    ASSERT_EQ(removed.status, 204) << removed.body;
    ASSERT_EQ(claim(bobCookie, camera).status, 201) << "round " << round;
    if (!opened) continue;
    // Ann's socket: an offer for the camera that is now Bob's is not_found (a camera she may
    // watch would be camera_offline: it is not connected).
    const std::string session = "race-session-" + std::to_string(round);
    ws.send(nlohmann::json{
        {"type", "offer"}, {"session", session}, {"camera", camera.cameraId}, {"sdp", "v=0\r\n"}}
                .dump());
    std::optional<nlohmann::json> error;
    for (int i = 0; i < 10 && !error; ++i) {
      auto message = ws.receive(std::chrono::seconds(2));
      if (!message) break;
      auto parsed = nlohmann::json::parse(*message);
      if (parsed.value("type", "") == "error") error = parsed;
    }
    ASSERT_TRUE(error) << "round " << round;
    EXPECT_EQ((*error)["code"], "not_found") << "round " << round << ": " << error->dump();
  }
}
