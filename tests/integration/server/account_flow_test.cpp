// The account flow of PROTOCOL.md against a real server: register, sign in, who-am-I,
// sign out, and the cookie that carries the session.
#include "server_test_client.hpp"

using namespace seccam::test;

class AccountFlow : public ServerTest {};

TEST_F(AccountFlow, RegisterSignsInAndClaimsTheCamera) {
  auto camera = server->provision(1).at(0);
  auto response = registerAccount("Ann", camera);
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(json(response)["user"]["username"], "Ann");
  auto cookie = cookiePair(response.header("set-cookie"));
  ASSERT_FALSE(cookie.empty());

  auto me = call("GET", "/api/me", "", cookie);
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(json(me)["user"]["username"], "Ann");

  auto cameras = json(call("GET", "/api/cameras", "", cookie));
  ASSERT_EQ(cameras["cameras"].size(), 1u);
  EXPECT_EQ(cameras["cameras"][0]["id"], camera.cameraId);
  EXPECT_EQ(cameras["cameras"][0]["online"], false);
  EXPECT_TRUE(cameras["cameras"][0]["lastSeen"].is_null());
}

TEST_F(AccountFlow, SessionCookieHasThePolicyAttributes) {
  auto camera = server->provision(1).at(0);
  auto setCookie = registerAccount("ann", camera).header("set-cookie");
  EXPECT_EQ(setCookie.rfind("seccam_session=", 0), 0u) << setCookie;
  EXPECT_NE(setCookie.find("; HttpOnly"), std::string::npos) << setCookie;
  EXPECT_NE(setCookie.find("; SameSite=Strict"), std::string::npos) << setCookie;
  EXPECT_NE(setCookie.find("; Path=/"), std::string::npos) << setCookie;
  EXPECT_NE(setCookie.find("; Max-Age=86400"), std::string::npos) << setCookie;
  EXPECT_EQ(setCookie.find("Secure"), std::string::npos) << "plain HTTP: " << setCookie;
  // 32 random bytes as 64 hex digits.
  EXPECT_EQ(cookiePair(setCookie).size(), std::string("seccam_session=").size() + 64);
}

TEST_F(AccountFlow, LoginGivesANewTokenEachTime) {
  auto first = signUp("ann");
  auto a = login("ann");
  auto b = login("ANN");  // usernames compare ignoring case
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(json(b)["user"]["username"], "ann");
  auto cookieA = cookiePair(a.header("set-cookie"));
  auto cookieB = cookiePair(b.header("set-cookie"));
  EXPECT_NE(cookieA, cookieB);
  EXPECT_NE(cookieA, first);
  EXPECT_EQ(call("GET", "/api/me", "", cookieB).status, 200);
}

TEST_F(AccountFlow, LogoutEndsTheSession) {
  auto cookie = signUp("ann");
  auto out = call("POST", "/api/logout", "", cookie);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto me = call("GET", "/api/me", "", cookie);
  EXPECT_EQ(me.status, 401);
  EXPECT_EQ(json(me)["error"]["code"], "unauthorized");
}

TEST_F(AccountFlow, WrongPasswordAndUnknownUserLookTheSame) {
  signUp("ann");
  auto wrong = login("ann", "Wrong-pass99");
  auto unknown = login("nobody", "Wrong-pass99");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json(wrong)["error"]["code"], "unauthorized");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
}

TEST_F(AccountFlow, DuplicateUsernameIsRefusedIgnoringCase) {
  signUp("Ann");
  auto camera = server->provision(1).at(0);
  auto response = registerAccount("aNN", camera);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(json(response)["error"]["code"], "conflict");
  EXPECT_TRUE(json(response)["error"]["fields"].contains("username"));
  // The second camera stays free for someone else.
  EXPECT_EQ(registerAccount("bob", camera).status, 201);
}

TEST_F(AccountFlow, ClaimCodeIsAcceptedWithDashesAndLowerCase) {
  auto camera = server->provision(1).at(0);
  std::string code;
  for (char c : camera.claimCode) code += static_cast<char>(std::tolower(c));
  camera.claimCode = code.substr(0, 5) + "-" + code.substr(5);
  EXPECT_EQ(registerAccount("ann", camera).status, 201);
}

TEST_F(AccountFlow, WrongClaimCodeIsRefusedAndCreatesNoAccount) {
  auto camera = server->provision(1).at(0);
  auto wrong = camera;
  wrong.claimCode = camera.claimCode[0] == 'A' ? "B" + camera.claimCode.substr(1)
                                               : "A" + camera.claimCode.substr(1);
  auto response = registerAccount("ann", wrong);
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(json(response)["error"]["fields"].contains("claimCode"));
  EXPECT_EQ(login("ann").status, 401);
  EXPECT_EQ(registerAccount("ann", camera).status, 201);
}

TEST_F(AccountFlow, ACameraCanOnlyBeClaimedOnce) {
  ProvisionedCamera camera;
  signUp("ann", &camera);
  auto response = registerAccount("bob", camera);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(login("bob").status, 401);
}

TEST_F(AccountFlow, ValidationNamesEveryBadField) {
  auto response = call("POST", "/api/register",
                       R"({"username":"a b","password":"short","cameraId":"bad id","claimCode":"x"})");
  ASSERT_EQ(response.status, 400);
  auto error = json(response)["error"];
  EXPECT_EQ(error["code"], "invalid_input");
  EXPECT_EQ(error["fields"]["username"],
            "Username may only contain letters, digits, '.', '_' and '-'.");
  EXPECT_EQ(error["fields"]["password"], "Password must be at least 10 characters.");
  EXPECT_TRUE(error["fields"].contains("cameraId"));
  EXPECT_TRUE(error["fields"].contains("claimCode"));
  EXPECT_EQ(error["message"], error["fields"]["username"]);
}

TEST_F(AccountFlow, WrongTypesAndMissingFieldsAre400WithPerFieldMessages) {
  auto response = call("POST", "/api/register", R"({"username":42,"password":["x"]})");
  ASSERT_EQ(response.status, 400);
  auto fields = json(response)["error"]["fields"];
  EXPECT_EQ(fields["username"], "Username must be text.");
  EXPECT_EQ(fields["password"], "Password must be text.");
  EXPECT_EQ(fields["cameraId"], "Camera ID is required.");
  EXPECT_EQ(fields["claimCode"], "Claim code is required.");
  auto loginResponse = call("POST", "/api/login", R"({"username":"ann","password":123})");
  EXPECT_EQ(loginResponse.status, 400);
  EXPECT_EQ(json(loginResponse)["error"]["fields"]["password"], "Password must be text.");
}

TEST_F(AccountFlow, MalformedJsonIs400) {
  for (std::string body : {"{", "not json", "[1,2]", "\"text\"", "{\"username\":}"}) {
    auto response = call("POST", "/api/login", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(json(response)["error"]["code"], "invalid_input") << body;
  }
}

TEST_F(AccountFlow, SignInFailuresAreRateLimitedPerAccount) {
  signUp("ann");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("ann", "Wrong-pass99").status, 401) << i;
  auto limited = login("ann", "Wrong-pass99");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json(limited)["error"]["code"], "rate_limited");
  auto retryAfter = limited.header("retry-after");
  ASSERT_FALSE(retryAfter.empty());
  EXPECT_GT(std::stoi(retryAfter), 0);
  EXPECT_LE(std::stoi(retryAfter), 15 * 60);
  // Even the right password waits now; another account does not.
  EXPECT_EQ(login("ann").status, 429);
  signUp("bob");
  EXPECT_EQ(login("bob").status, 200);
}

TEST_F(AccountFlow, SignInFailuresAreRateLimitedPerAddress) {
  // 50 failures spread over many accounts from one address.
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(login("user" + std::to_string(i), "Wrong-pass99").status, 401) << i;
  }
  auto limited = login("someone-else", "Wrong-pass99");
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
}

TEST_F(AccountFlow, XForwardedForIsIgnoredUnlessTheProxyIsTrusted) {
  // By default nobody is a trusted proxy: a client naming other addresses is still one address.
  for (int i = 0; i < 50; ++i) {
    Headers spoofed{{"X-Forwarded-For", "198.51.100." + std::to_string(i)}};
    EXPECT_EQ(call("POST", "/api/login",
                   nlohmann::json{{"username", "user" + std::to_string(i)},
                                  {"password", "Wrong-pass99"}}
                       .dump(),
                   "", spoofed)
                  .status,
              401)
        << i;
  }
  EXPECT_EQ(login("someone-else", "Wrong-pass99").status, 429);
}

// Behind a reverse proxy on loopback (README: "Deploying the server").
class BehindAProxy : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--trusted-proxies", "127.0.0.1"};
  }
  HttpResponse loginFrom(const std::string& address, const std::string& username,
                         const std::string& password = "Wrong-pass99") {
    return call("POST", "/api/login",
                nlohmann::json{{"username", username}, {"password", password}}.dump(), "",
                {{"X-Forwarded-For", address}});
  }
};

// Issue 11, M2: five wrong passwords for bob from anywhere (case variants together) made
// Bob's right password from his own address 429 for 15 minutes, renewable forever.
TEST_F(BehindAProxy, AnAttackerElsewhereCannotLockTheOwnerOut) {
  signUp("bob");
  const std::string home = "198.51.100.9", attacker = "203.0.113.7";
  ASSERT_EQ(loginFrom(home, "bob", kPassword).status, 200);

  for (std::string name : {"bob", "BOB", "Bob", "bOb", "boB"}) {
    EXPECT_EQ(loginFrom(attacker, name).status, 401) << name;
  }
  auto limited = loginFrom(attacker, "BoB");
  EXPECT_EQ(limited.status, 429);  // case variants count together for the attacker's pair
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_EQ(loginFrom(attacker, "bob", kPassword).status, 429);

  EXPECT_EQ(loginFrom(home, "bob", kPassword).status, 200);
  EXPECT_EQ(loginFrom("192.0.2.1", "Bob", kPassword).status, 200);  // a new address too

  // Many addresses, a few guesses each: new addresses are paced, Bob's known ones are not.
  for (int i = 10; i < 25; ++i) {
    auto status = loginFrom("203.0.113." + std::to_string(i), "bob").status;
    EXPECT_TRUE(status == 401 || status == 429) << status;
  }
  auto paced = loginFrom("192.0.2.50", "bob", kPassword);
  EXPECT_EQ(paced.status, 429);
  ASSERT_FALSE(paced.header("retry-after").empty());
  EXPECT_LE(std::stoi(paced.header("retry-after")), 60);
  EXPECT_EQ(loginFrom(home, "bob", kPassword).status, 200);
  EXPECT_EQ(loginFrom("192.0.2.1", "bob", kPassword).status, 200);
}

TEST_F(BehindAProxy, ClaimFailuresFromOneAddressDoNotBlockTheAccountElsewhere) {
  auto cookie = signUp("bob");
  auto camera = server->provision(1).at(0);
  auto claimFrom = [&](const std::string& address, const std::string& code) {
    return call("POST", "/api/cameras",
                nlohmann::json{{"cameraId", camera.cameraId}, {"claimCode", code}}.dump(), cookie,
                {{"X-Forwarded-For", address}});
  };
  std::string wrong = camera.claimCode[0] == 'A' ? "B" + camera.claimCode.substr(1)
                                                 : "A" + camera.claimCode.substr(1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(claimFrom("203.0.113.7", wrong).status, 400) << i;
  EXPECT_EQ(claimFrom("203.0.113.7", camera.claimCode).status, 429);
  auto elsewhere = claimFrom("198.51.100.9", camera.claimCode);
  EXPECT_EQ(elsewhere.status, 201) << elsewhere.body;
}

TEST_F(BehindAProxy, SignInFailuresAreCountedPerForwardedAddress) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(loginFrom("203.0.113.7", "user" + std::to_string(i)).status, 401) << i;
  }
  EXPECT_EQ(loginFrom("203.0.113.7", "someone-else").status, 429);
  // Everyone else behind the same proxy can still sign in.
  EXPECT_EQ(loginFrom("198.51.100.9", "someone-else").status, 401);
  // A client's own header in front of the proxy's entry changes nothing.
  EXPECT_EQ(loginFrom("198.51.100.9, 203.0.113.7", "someone-else").status, 429);
}

TEST_F(AccountFlow, MetricsCountSignInFailures) {
  login("nobody", "Wrong-pass99");
  auto metrics = call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("seccam_sign_in_failures_total 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("seccam_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("seccam_cameras_connected 0"), std::string::npos);
  auto health = call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json(health)["status"], "ok");
}

// /metrics is for the operator: loopback clients only, unless a token opens it.
TEST_F(BehindAProxy, MetricsAreRefusedToClientsTheProxyForwards) {
  // The proxy's own request (no X-Forwarded-For) is the machine's operator.
  EXPECT_EQ(call("GET", "/metrics").status, 200);
  auto forwarded = call("GET", "/metrics", "", "", {{"X-Forwarded-For", "203.0.113.7"}});
  EXPECT_EQ(forwarded.status, 403);
  EXPECT_EQ(json(forwarded)["error"]["code"], "forbidden");
  EXPECT_EQ(forwarded.body.find("seccam_"), std::string::npos) << forwarded.body;
}

class MetricsToken : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--metrics-token", "scrape-me-0123456789"};
  }
};

TEST_F(MetricsToken, OnlyTheTokenOpensMetrics) {
  EXPECT_EQ(call("GET", "/metrics").status, 403);
  EXPECT_EQ(call("GET", "/metrics", "", "", {{"Authorization", "Bearer wrong"}}).status, 403);
  auto scraped =
      call("GET", "/metrics", "", "", {{"Authorization", "Bearer scrape-me-0123456789"}});
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("seccam_cameras_connected"), std::string::npos) << scraped.body;
}
