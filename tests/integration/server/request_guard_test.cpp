// Cross-site and oversized requests are refused before they change anything, and the
// server keeps serving everyone else.
#include "server_test_client.hpp"

using namespace seccam::test;

class RequestGuard : public ServerTest {};

TEST_F(RequestGuard, ForeignOriginIsRefusedAndChangesNothing) {
  auto camera = server->provision(1).at(0);
  nlohmann::json body{{"username", "ann"},
                      {"password", kPassword},
                      {"cameraId", camera.cameraId},
                      {"claimCode", camera.claimCode}};
  auto response = call("POST", "/api/register", body.dump(), "", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(json(response)["error"]["code"], "forbidden");
  EXPECT_EQ(login("ann").status, 401);  // no account was made

  // With the server's own origin it goes through.
  auto own = call("POST", "/api/register", body.dump(), "", {{"Origin", server->origin()}});
  EXPECT_EQ(own.status, 201) << own.body;
}

TEST_F(RequestGuard, ForeignOriginCannotRenameOrRemoveACamera) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  Headers evil{{"Origin", "https://evil.example"}};
  auto path = "/api/cameras/" + camera.cameraId;
  EXPECT_EQ(call("PATCH", path, R"({"name":"Hacked"})", cookie, evil).status, 403);
  EXPECT_EQ(call("DELETE", path, "", cookie, evil).status, 403);
  EXPECT_EQ(call("POST", "/api/logout", "", cookie, evil).status, 403);
  auto after = json(call("GET", path, "", cookie));
  EXPECT_EQ(after["camera"]["name"], camera.cameraId);
  EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);
}

TEST_F(RequestGuard, NonJsonContentTypeIsRefusedAndChangesNothing) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  auto path = "/api/cameras/" + camera.cameraId;
  for (std::string type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x"}) {
    auto response = call("PATCH", path, R"({"name":"Renamed"})", cookie, {{"Content-Type", type}});
    EXPECT_EQ(response.status, 403) << type;
    EXPECT_EQ(json(response)["error"]["code"], "forbidden") << type;
  }
  EXPECT_EQ(json(call("GET", path, "", cookie))["camera"]["name"], camera.cameraId);
  // application/json with a charset is fine.
  auto ok = call("PATCH", path, R"({"name":"Renamed"})", cookie,
                 {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(RequestGuard, BodiesOver16KiBAre413AndTheServerKeepsServing) {
  std::string big = R"({"username":"ann","password":")" + std::string(17 * 1024, 'x') + R"("})";
  auto response = call("POST", "/api/login", big);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(json(response)["error"]["code"], "too_large");
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  // Just under the limit is read (and refused for what it says, not for its size).
  std::string fits = R"({"username":"ann","password":")" + std::string(15 * 1024, 'x') + R"("})";
  EXPECT_EQ(call("POST", "/api/login", fits).status, 401);
}

TEST_F(RequestGuard, UnknownApiPathsAre404InTheErrorShape) {
  auto response = call("GET", "/api/nothing-here");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(json(response)["error"]["code"], "not_found");
}

TEST_F(RequestGuard, ApiNeedsASession) {
  for (std::string path : {"/api/me", "/api/cameras", "/api/ice-servers"}) {
    auto response = call("GET", path);
    EXPECT_EQ(response.status, 401) << path;
    EXPECT_EQ(json(response)["error"]["code"], "unauthorized") << path;
  }
  EXPECT_EQ(call("GET", "/api/me", "", "seccam_session=" + std::string(64, 'a')).status, 401);
  EXPECT_EQ(call("GET", "/api/me", "", "seccam_session=garbage").status, 401);
}

class BehindReverseProxy : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--public-url", "https://cams.example.org"};
  }
};

TEST_F(BehindReverseProxy, PublicUrlIsTheOnlyOwnOriginAndCookiesAreSecure) {
  auto camera = server->provision(1).at(0);
  nlohmann::json body{{"username", "ann"},
                      {"password", kPassword},
                      {"cameraId", camera.cameraId},
                      {"claimCode", camera.claimCode}};
  auto direct = call("POST", "/api/register", body.dump(), "", {{"Origin", server->origin()}});
  EXPECT_EQ(direct.status, 403);
  auto proxied = call("POST", "/api/register", body.dump(), "",
                      {{"Origin", "https://cams.example.org"}});
  ASSERT_EQ(proxied.status, 201) << proxied.body;
  EXPECT_NE(proxied.header("set-cookie").find("; Secure"), std::string::npos);

  auto cookie = cookiePair(proxied.header("set-cookie"));
  WsClient ws;
  EXPECT_FALSE(ws.connect(server->host(), server->port(), "/ws",
                          {{"Origin", server->origin()}, {"Cookie", cookie}}));
  EXPECT_EQ(ws.refusedStatus(), 403);
  WsClient proxiedWs;
  EXPECT_TRUE(proxiedWs.connect(server->host(), server->port(), "/ws",
                                {{"Origin", "https://cams.example.org"}, {"Cookie", cookie}}));
}

// DNS rebinding: a page on attacker.example whose name now resolves to this server sends
// `Host: attacker.example:PORT` and the matching Origin. Without public-url the server took
// its own origin from the Host, so that page passed the Origin check with the victim's cookie.
TEST_F(RequestGuard, AReboundHostNameIsRefusedBeforeItReachesAnything) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  std::string rebound = "attacker.example:" + std::to_string(server->port());
  Headers attacker{{"Host", rebound}, {"Origin", "http://" + rebound}};

  auto me = call("GET", "/api/me", "", cookie, attacker);
  EXPECT_EQ(me.status, 421) << me.body;
  EXPECT_EQ(json(me)["error"]["code"], "unknown_host");
  auto remove = call("DELETE", "/api/cameras/" + camera.cameraId, "", cookie, attacker);
  EXPECT_EQ(remove.status, 421);
  EXPECT_EQ(call("GET", "/", "", "", attacker).status, 421);
  WsClient ws;
  EXPECT_FALSE(ws.connect(server->host(), server->port(), "/ws",
                          {{"Host", rebound}, {"Origin", "http://" + rebound}, {"Cookie", cookie}}));
  EXPECT_EQ(ws.refusedStatus(), 421);

  // Nothing changed; the server keeps answering its own names, and health checks any name.
  auto cameras = json(call("GET", "/api/cameras", "", cookie));
  EXPECT_EQ(cameras["cameras"].size(), 1u);
  EXPECT_EQ(call("GET", "/healthz", "", "", attacker).status, 200);
  std::string port = std::to_string(server->port());
  EXPECT_EQ(call("GET", "/api/me", "", cookie, {{"Host", "localhost:" + port}}).status, 200);
  EXPECT_EQ(call("GET", "/api/me", "", cookie, {{"Host", "127.0.0.1:" + port}}).status, 200);
}

class AllowedHosts : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--allowed-hosts", "nas.lan,cams.home.arpa"};
  }
};

TEST_F(AllowedHosts, ConfiguredNamesAreServedAndTheirOriginIsOwn) {
  auto cookie = signUp("ann");
  std::string named = "NAS.lan:" + std::to_string(server->port());
  auto me = call("GET", "/api/me", "", cookie, {{"Host", named}});
  EXPECT_EQ(me.status, 200) << me.body;
  WsClient ws;
  EXPECT_TRUE(ws.connect(server->host(), server->port(), "/ws",
                         {{"Host", named}, {"Origin", "http://nas.lan:" + std::to_string(server->port())},
                          {"Cookie", cookie}}));
  EXPECT_EQ(call("GET", "/api/me", "", cookie, {{"Host", "other.lan"}}).status, 421);
}

TEST_F(BehindReverseProxy, ThePublicUrlsHostIsServed) {
  EXPECT_EQ(call("GET", "/healthz", "", "", {{"Host", "cams.example.org"}}).status, 200);
  EXPECT_EQ(call("GET", "/api/me", "", "", {{"Host", "cams.example.org"}}).status, 401);
  EXPECT_EQ(call("GET", "/api/me", "", "", {{"Host", "attacker.example"}}).status, 421);
}
