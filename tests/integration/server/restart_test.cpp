// Everything stored survives a restart of the server process.
#include <sys/stat.h>

#include "server_test_client.hpp"

using namespace seccam::test;

class Restart : public ServerTest {};

TEST_F(Restart, AccountsSessionsAndCamerasSurvive) {
  ProvisionedCamera camera;
  auto cookie = signUp("ann", &camera);
  auto path = "/api/cameras/" + camera.cameraId;
  ASSERT_EQ(call("PATCH", path, R"({"name":"Porch"})", cookie).status, 200);
  auto spare = server->provision(1).at(0);

  server->restart();

  EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);  // the session too
  EXPECT_EQ(login("ann").status, 200);
  EXPECT_EQ(json(call("GET", path, "", cookie))["camera"]["name"], "Porch");
  // A camera provisioned before the restart can still be claimed.
  auto bob = registerAccount("bob", spare);
  EXPECT_EQ(bob.status, 201) << bob.body;
}

TEST_F(Restart, StopsCleanlyOnSigterm) {
  auto cookie = signUp("ann");
  WsClient viewer;
  ASSERT_TRUE(viewer.connect(server->host(), server->port(), "/ws",
                             {{"Origin", server->origin()}, {"Cookie", cookie}}));
  ASSERT_TRUE(viewer.receive());  // hello

  auto status = server->process().stop(15);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  // A connected peer was told that the server is going away, not just cut off.
  while (viewer.receive()) {
  }
  EXPECT_TRUE(viewer.closed());
  EXPECT_EQ(viewer.closeCode(), 1001);
}

// The data folder holds the database and the keys: one that already existed readable by
// others (0755 from a package or made by hand) is made private when the server starts.
TEST(DataFolder, AnExistingFolderReadableByOthersIsMadePrivate) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ASSERT_EQ(::mkdir(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);  // whatever the umask
  ServerProcess server({}, data);
  struct stat info {};
  ASSERT_EQ(::stat(data.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_EQ(server.provision(1).size(), 1u);  // and it serves as before
}
