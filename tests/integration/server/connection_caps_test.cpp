// Connection caps (issue 11, M3): idle sockets from one address, or from many, cannot use up
// the server's descriptors. Past a cap a request is answered 503 and closed, /healthz still
// answers, and everyone within the caps keeps being served. Clients come from different
// loopback addresses (127.0.0.0/8 is all loopback) by binding their sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "server_test_client.hpp"

using namespace seccam::test;

namespace {

// One TCP connection from a chosen loopback source address.
class RawClient {
 public:
  RawClient(const std::string& source, unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Sends a GET and reads until the server closes or `timeoutMs` passes; returns the
  // status (0: no answer) and keeps the text.
  int get(const std::string& path, int timeoutMs = 5000) {
    std::string request = "GET " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) < 0) return 0;
    text_.clear();
    while (readSome(timeoutMs) > 0) {
    }
    if (text_.rfind("HTTP/1.1 ", 0) != 0 || text_.size() < 12) return 0;
    return std::stoi(text_.substr(9, 3));
  }
  const std::string& text() const { return text_; }

  // True when the server closed the connection (end of stream) within `timeoutMs`.
  bool closedByServer(int timeoutMs) {
    for (;;) {
      auto n = readSome(timeoutMs);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

 private:
  // >0 bytes read, 0 end of stream, -1 timeout or error.
  ssize_t readSome(int timeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return -1;
    char buffer[4096];
    auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) text_.append(buffer, static_cast<std::size_t>(n));
    return n < 0 ? -1 : n;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string text_;
};

std::string errorCode(const std::string& response) {
  auto body = response.substr(std::min(response.size(), response.find("\r\n\r\n") + 4));
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return "";
  return parsed["error"]["code"];
}

std::string header(const std::string& response, const std::string& name) {
  auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  auto start = at + name.size() + 4;
  return response.substr(start, response.find("\r\n", start) - start);
}

constexpr int kPerAddress = 5;
constexpr int kTotal = 20;

}  // namespace

class ConnectionCaps : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--max-connections", std::to_string(kTotal), "--max-connections-per-address",
            std::to_string(kPerAddress)};
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
  auto idle = openIdle("127.0.0.1", kPerAddress);

  // The address has its share open: its next request is answered 503 and closed.
  RawClient more("127.0.0.1", server->port());
  EXPECT_EQ(more.get("/api/me"), 503) << more.text();
  EXPECT_EQ(errorCode(more.text()), "too_many_connections") << more.text();
  EXPECT_FALSE(header(more.text(), "Retry-After").empty()) << more.text();
  // ...but a health check from it is answered.
  RawClient health("127.0.0.1", server->port());
  EXPECT_EQ(health.get("/healthz"), 200) << health.text();

  // A flood of further idle sockets: the server closes them (after at most the short
  // over-cap read timeout) instead of keeping a descriptor for each.
  auto flood = openIdle("127.0.0.1", 40);
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
    RawClient again("127.0.0.1", server->port());
    servedAgain = again.get("/api/me") == 401;
    if (!servedAgain) ::usleep(100'000);
  }
  EXPECT_TRUE(servedAgain);
}

TEST_F(ConnectionCaps, AFullServerAnswers503AndStillAnswersHealthChecks) {
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
