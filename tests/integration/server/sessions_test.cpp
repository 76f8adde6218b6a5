// An account's sessions (issue 11, L3): capped per account (a sign-in past the cap ends the
// oldest), listed ("signed in on ..."), ended one by one or all at once; the viewer
// WebSockets of an ended session are closed with 4401.
#include "server_test_client.hpp"

using namespace seccam::test;
using namespace std::chrono_literals;

namespace {
constexpr int kMaxSessions = 3;
}

class Sessions : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--auth-max-sessions", std::to_string(kMaxSessions)};
  }

  std::string signIn(const std::string& username, const std::string& userAgent = "") {
    Headers headers;
    if (!userAgent.empty()) headers.emplace_back("User-Agent", userAgent);
    auto response = call("POST", "/api/login",
                         nlohmann::json{{"username", username}, {"password", kPassword}}.dump(),
                         "", headers);
    EXPECT_EQ(response.status, 200) << response.body;
    return cookiePair(response.header("set-cookie"));
  }

  std::unique_ptr<WsClient> openViewer(const std::string& cookie) {
    auto ws = std::make_unique<WsClient>();
    EXPECT_TRUE(ws->connect(server->host(), server->port(), "/ws",
                            {{"Origin", server->origin()}, {"Cookie", cookie}}));
    auto hello = ws->receive();
    EXPECT_TRUE(hello && json(HttpResponse{200, {}, *hello})["type"] == "hello");
    return ws;
  }

  // The socket is closed by the server with 4401 (no message comes first).
  static void expectSignedOut(WsClient& ws) {
    auto message = ws.receive(5s);
    EXPECT_FALSE(message) << *message;
    EXPECT_EQ(ws.closeCode(), 4401);
  }

  nlohmann::json sessions(const std::string& cookie) {
    auto response = call("GET", "/api/sessions", "", cookie);
    EXPECT_EQ(response.status, 200) << response.body;
    return json(response)["sessions"];
  }
};

TEST_F(Sessions, ASignInPastTheCapEndsTheOldestSessionAndItsSockets) {
  auto first = signUp("ann");
  auto firstViewer = openViewer(first);
  std::vector<std::string> later;
  for (int i = 0; i < kMaxSessions; ++i) later.push_back(signIn("ann"));

  EXPECT_EQ(call("GET", "/api/me", "", first).status, 401);
  expectSignedOut(*firstViewer);
  for (const auto& cookie : later) EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);
  EXPECT_EQ(sessions(later.back()).size(), static_cast<std::size_t>(kMaxSessions));
}

TEST_F(Sessions, TheListShowsWhenAndWhereWithThisOneMarked) {
  auto onPhone = signUp("ann");
  auto onLaptop = signIn("ann", "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0");
  auto bob = signUp("bob");

  auto list = sessions(onLaptop);
  ASSERT_EQ(list.size(), 2u) << list;
  EXPECT_EQ(list[0]["userAgent"], "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0");  // newest first
  EXPECT_EQ(list[0]["current"], true);
  EXPECT_EQ(list[1]["current"], false);
  for (const auto& session : list) {
    EXPECT_TRUE(session["id"].is_string());
    EXPECT_EQ(session["createdAt"].get<std::string>().size(), 20u) << session;  // ISO 8601 UTC
    EXPECT_TRUE(session["lastSeen"].is_string()) << session;
  }
  // Another account's sessions are its own.
  EXPECT_EQ(sessions(bob).size(), 1u);
  EXPECT_EQ(call("GET", "/api/sessions").status, 401);
}

TEST_F(Sessions, EndingOneSessionSignsOnlyThatOneOut) {
  auto mine = signUp("ann");
  auto other = signIn("ann");
  auto otherViewer = openViewer(other);
  auto bob = signUp("bob");
  auto bobsId = sessions(bob)[0]["id"].get<std::string>();

  std::string otherId;
  for (const auto& session : sessions(mine)) {
    if (!session["current"].get<bool>()) otherId = session["id"];
  }
  ASSERT_FALSE(otherId.empty());

  // Bob's session is not Ann's to end: 404, as one that does not exist.
  auto foreign = call("DELETE", "/api/sessions/" + bobsId, "", mine);
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(json(foreign)["error"]["code"], "not_found");
  EXPECT_EQ(call("DELETE", "/api/sessions/not-a-number", "", mine).status, 404);
  EXPECT_EQ(call("GET", "/api/me", "", bob).status, 200);
  // A foreign Origin cannot do it either.
  EXPECT_EQ(call("DELETE", "/api/sessions/" + otherId, "", mine,
                 {{"Origin", "http://evil.example"}})
                .status,
            403);

  auto ended = call("DELETE", "/api/sessions/" + otherId, "", mine);
  EXPECT_EQ(ended.status, 204);
  EXPECT_TRUE(ended.header("set-cookie").empty());  // not this browser's
  EXPECT_EQ(call("GET", "/api/me", "", other).status, 401);
  expectSignedOut(*otherViewer);
  EXPECT_EQ(call("GET", "/api/me", "", mine).status, 200);
  EXPECT_EQ(sessions(mine).size(), 1u);
}

TEST_F(Sessions, SignOutEverywhereEndsEverySessionAndSocket) {
  auto here = signUp("ann");
  auto there = signIn("ann");
  auto hereViewer = openViewer(here);
  auto thereViewer = openViewer(there);
  auto bob = signUp("bob");

  auto out = call("DELETE", "/api/sessions", "", here);
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/me", "", here).status, 401);
  EXPECT_EQ(call("GET", "/api/me", "", there).status, 401);
  expectSignedOut(*hereViewer);
  expectSignedOut(*thereViewer);
  EXPECT_EQ(call("GET", "/api/me", "", bob).status, 200);  // someone else's stay
  EXPECT_EQ(login("ann").status, 200);                       // and Ann can sign in again
}
