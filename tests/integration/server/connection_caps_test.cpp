// Connection caps (issue 11, M3): idle sockets from one address, or from many, cannot use up
// the server's descriptors. Past a cap a request is answered 503 and closed, /healthz still
// answers, and everyone within the caps keeps being served. Clients come from different
// loopback addresses (127.0.0.0/8 is all loopback) by binding their sockets.
#include <unistd.h>

#include "raw_client.hpp"
#include "server_test_client.hpp"

using namespace seccam::test;

namespace {

constexpr int kPerAddress = 5;
constexpr int kTotal = 20;

}  // namespace

class ConnectionCaps : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--max-connections", std::to_string(kTotal), "--max-connections-per-address",
            std::to_string(kPerAddress)};
  }
  // Waits until the connections of earlier requests (the fixture's health checks, a
  // sign-up: keep-alive connections the server closes only when it reads their end) are
  // gone on the server's side too. The check itself asks for `Connection: close`, so the
  // server ends it right after answering, with nothing left to read.
  void waitUntilQuiet() {
    for (int attempt = 0; attempt < 50; ++attempt) {
      RawClient check("127.0.0.1", server->port());
      if (check.get("/metrics") == 200 &&
          check.text().find("seccam_connections_open 1\n") != std::string::npos &&
          check.closedByServer(1000)) {
        return;  // the check's own place is free too once the server has closed it
      }
      ::usleep(100'000);
    }
    ADD_FAILURE() << "earlier connections stayed open";
  }
  std::vector<std::unique_ptr<RawClient>> openIdle(const std::string& source, int count) {
    std::vector<std::unique_ptr<RawClient>> out;
    for (int i = 0; i < count; ++i) {
      out.push_back(std::make_unique<RawClient>(source, server->port()));
      EXPECT_TRUE(out.back()->connected()) << source << " " << i;
    }
    return out;
  }
};

TEST_F(ConnectionCaps, IdleSocketsFromOneAddressDoNotStarveAnyoneElse) {
  // Not the address the fixture's own requests come from: only the attacker's sockets
  // count against it.
  const std::string kAttacker = "127.0.0.9";
  auto idle = openIdle(kAttacker, kPerAddress);

  // The address has its share open: its next request is answered 503 and closed.
  RawClient more(kAttacker, server->port());
  EXPECT_EQ(more.get("/api/me"), 503) << more.text();
  EXPECT_EQ(errorCode(more.text()), "too_many_connections") << more.text();
  EXPECT_FALSE(header(more.text(), "Retry-After").empty()) << more.text();
  // ...but a health check from it is answered.
  RawClient health(kAttacker, server->port());
  EXPECT_EQ(health.get("/healthz"), 200) << health.text();

  // A flood of further idle sockets: the server closes them (after at most the short
  // over-cap read timeout) instead of keeping a descriptor for each.
  auto flood = openIdle(kAttacker, 40);
  int closed = 0;
  for (auto& client : flood) closed += client->closedByServer(10000) ? 1 : 0;
  EXPECT_EQ(closed, 40);

  // Other addresses are served as usual, pages, API and health alike.
  RawClient other("127.0.0.2", server->port());
  EXPECT_EQ(other.get("/"), 200);
  RawClient otherApi("127.0.0.2", server->port());
  EXPECT_EQ(otherApi.get("/api/me"), 401);
  RawClient otherHealth("127.0.0.3", server->port());
  EXPECT_EQ(otherHealth.get("/healthz"), 200);
  // The idle sockets within the cap were kept (they time out only after 30 s).
  for (auto& client : idle) EXPECT_FALSE(client->closedByServer(10)) << "an admitted socket closed";

  // Once the address closes its sockets, it is served again.
  idle.clear();
  bool servedAgain = false;
  for (int attempt = 0; attempt < 50 && !servedAgain; ++attempt) {
    RawClient again(kAttacker, server->port());
    servedAgain = again.get("/api/me") == 401;
    if (!servedAgain) ::usleep(100'000);
  }
  EXPECT_TRUE(servedAgain);
}

TEST_F(ConnectionCaps, AFullServerAnswers503AndStillAnswersHealthChecks) {
  waitUntilQuiet();
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int a = 0; a < kTotal / kPerAddress; ++a) {
    auto some = openIdle("127.0.1." + std::to_string(a + 1), kPerAddress);
    for (auto& client : some) idle.push_back(std::move(client));
  }
  RawClient late("127.0.2.1", server->port());
  EXPECT_EQ(late.get("/api/me"), 503) << late.text();
  EXPECT_EQ(errorCode(late.text()), "overloaded") << late.text();
  RawClient health("127.0.2.2", server->port());
  EXPECT_EQ(health.get("/healthz"), 200) << health.text();
  auto metrics = call("GET", "/metrics");  // from 127.0.0.1: over the total cap as well
  EXPECT_EQ(metrics.status, 503);
  idle.clear();
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = call("GET", "/api/me").status == 401;
    if (!served) ::usleep(100'000);
  }
  EXPECT_TRUE(served);
}

// A WebSocket holds its place for as long as it is open: long-lived sockets count too.
TEST_F(ConnectionCaps, OpenWebSocketsCountAgainstTheCap) {
  auto cookie = signUp("ann");
  std::vector<std::unique_ptr<WsClient>> sockets;
  for (int i = 0; i < kPerAddress; ++i) {
    // The sign-up's own HTTP connection may still hold its place for a moment.
    bool opened = false;
    for (int attempt = 0; attempt < 50 && !opened; ++attempt) {
      sockets.push_back(std::make_unique<WsClient>());
      opened = sockets.back()->connect(server->host(), server->port(), "/ws",
                                       {{"Origin", server->origin()}, {"Cookie", cookie}});
      if (!opened) {
        sockets.pop_back();
        ::usleep(100'000);
      }
    }
    ASSERT_TRUE(opened) << i;
    ASSERT_TRUE(sockets.back()->receive());  // hello: it is in the hub
  }
  WsClient oneMore;
  EXPECT_FALSE(oneMore.connect(server->host(), server->port(), "/ws",
                               {{"Origin", server->origin()}, {"Cookie", cookie}}));
  EXPECT_EQ(oneMore.refusedStatus(), 503);
  sockets.back()->close();
  sockets.pop_back();
  bool joined = false;
  for (int attempt = 0; attempt < 50 && !joined; ++attempt) {
    WsClient again;
    joined = again.connect(server->host(), server->port(), "/ws",
                           {{"Origin", server->origin()}, {"Cookie", cookie}});
    if (!joined) ::usleep(100'000);
  }
  EXPECT_TRUE(joined);
}
