// PostgreSQL going away under a running server and coming back: requests that need the
// database get 503 `overloaded` (never a crash), and the server serves again once PostgreSQL
// is back, without a restart. The test stops and starts a cluster of
// its own (the run's shared one serves other tests).
#include <filesystem>

#include "server_test_client.hpp"
#include "support/test_store.hpp"

using namespace seccam::test;

TEST(PostgresOutage, RequestsGet503WhileTheDatabaseIsDownAndWorkAgainOnceItIsBack) {
  PostgresCluster cluster;
  auto url = cluster.createDatabase();
  ServerProcess server({}, "", "127.0.0.1", {{"SECCAM_STORE_URL", url}});
  auto call = [&](const std::string& method, const std::string& path, const std::string& body,
                  const std::string& cookie) {
    Headers headers;
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    return httpRequest(server.host(), server.port(), method, path, body, headers);
  };
  auto camera = server.provision(1).at(0);
  nlohmann::json signUp{{"username", "ann"},
                        {"password", kPassword},
                        {"cameraId", camera.cameraId},
                        {"claimCode", camera.claimCode}};
  auto registered = call("POST", "/api/register", signUp.dump(), "");
  ASSERT_EQ(registered.status, 201) << registered.body;
  auto cookie = cookiePair(registered.header("set-cookie"));
  ASSERT_EQ(call("GET", "/api/cameras", "", cookie).status, 200);

  cluster.stop();
  auto down = call("GET", "/api/cameras", "", cookie);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(nlohmann::json::parse(down.body, nullptr, false)["error"]["code"], "overloaded");
  EXPECT_EQ(httpRequest(server.host(), server.port(), "GET", "/healthz", "", {}).status, 200);
  EXPECT_TRUE(server.process().running());

  cluster.start();
  auto back = call("GET", "/api/cameras", "", cookie);
  EXPECT_EQ(back.status, 200) << back.body;
  auto cameras = nlohmann::json::parse(back.body, nullptr, false)["cameras"];
  ASSERT_EQ(cameras.size(), 1u) << back.body;
  EXPECT_EQ(cameras[0]["id"], camera.cameraId);

  // A restart while the server is idle costs no request at all: connections the database
  // closed meanwhile are replaced before use.
  cluster.stop();
  cluster.start();
  for (int i = 0; i < 3; ++i) {
    auto after = call("GET", "/api/cameras", "", cookie);
    EXPECT_EQ(after.status, 200) << "request " << i << ": " << after.body;
  }
}

// A PostgreSQL that is not there at start: the server says so and exits (status 1, no crash)
// rather than serve without its accounts; the CLI likewise.
TEST(PostgresOutage, TheServerRefusesToStartWithoutItsDatabase) {
  TempDir data;
  std::map<std::string, std::string> env{
      {"SECCAM_STORE_URL", "postgresql://postgres@/seccam?host=" + data.path() + "/no-socket"}};
  auto serve = runProgram({serverBinary(), "serve", "--listen",
                           "127.0.0.1:" + std::to_string(freePort()), "--data", data.path()},
                          env);
  EXPECT_EQ(serve.exitCode, 1) << serve.output;
  auto list = runProgram({serverBinary(), "camera", "list", "--data", data.path()}, env);
  EXPECT_EQ(list.exitCode, 1) << list.output;
  EXPECT_FALSE(std::filesystem::exists(data.path() + "/seccam.db"));
}
