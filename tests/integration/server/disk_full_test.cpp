// The data disk full: the server's data folder on a small filesystem of the test's own (a
// tmpfs it mounts, so this test needs root), filled to the last byte. Writes get a clear
// error (507 storage_full), nothing stored is lost, viewers and cameras keep signaling, and
// once space is freed writes work again without a restart.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "server_test_client.hpp"

using namespace seccam::test;

namespace {

constexpr const char* kDiskPrefix = "seccam-smalldisk-";
constexpr const char* kDiskSize = "size=4m";
constexpr auto kMessageTimeout = std::chrono::seconds(5);

// A small tmpfs mounted on a fresh folder under /tmp; unmounted and removed at destruction,
// whatever the test did. Mounts left by a test process that died are removed first.
class SmallDisk {
 public:
  SmallDisk() {
    removeStale();
    auto base = std::filesystem::temp_directory_path() /
                (kDiskPrefix + std::to_string(::getpid()) + "-XXXXXX");
    std::string templ = base.string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, kDiskSize) != 0) {
      std::string why = std::strerror(errno);
      ::rmdir(path_.c_str());
      throw std::runtime_error("cannot mount a tmpfs on " + path_ + " (root?): " + why);
    }
  }
  ~SmallDisk() { unmountAndRemove(path_); }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  const std::string& path() const { return path_; }

  // Writes a file until the filesystem refuses more (ENOSPC). Returns the bytes written.
  std::size_t fill() {
    int fd = ::open(fillerPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create the filler file");
    std::string chunk(4096, 'x');
    std::size_t written = 0;
    // Bounded: the filesystem is a few MiB; a byte at a time for the last page.
    for (int i = 0; i < 1'000'000; ++i) {
      ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n > 0) {
        written += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == ENOSPC) break;
      ::close(fd);
      throw std::runtime_error(std::string("filling the disk: ") + std::strerror(errno));
    }
    ::close(fd);
    return written;
  }
  void freeSpace() { ::unlink(fillerPath().c_str()); }

 private:
  std::string fillerPath() const { return path_ + "/filler"; }

  static void unmountAndRemove(const std::string& path) {
    if (::umount2(path.c_str(), 0) != 0) ::umount2(path.c_str(), MNT_DETACH);
    ::rmdir(path.c_str());
  }
  static void removeStale() {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
      std::string name = entry.path().filename();
      if (name.rfind(kDiskPrefix, 0) != 0) continue;
      pid_t pid = static_cast<pid_t>(std::atol(name.c_str() + std::strlen(kDiskPrefix)));
      if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) unmountAndRemove(entry.path());
    }
  }

  std::string path_;
};

nlohmann::json message(WsClient& client) {
  auto text = client.receive(kMessageTimeout);
  if (!text) {
    ADD_FAILURE() << "no message (closed: " << client.closed() << ", code " << client.closeCode()
                  << ")";
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(*text, nullptr, false);
}

// The next message that is not a `status` push.
nlohmann::json nextNonStatus(WsClient& client) {
  for (int i = 0; i < 10; ++i) {
    auto m = message(client);
    if (m.value("type", "") != "status") return m;
  }
  return nlohmann::json::object();
}

}  // namespace

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    seccam::crypto::initialize();
    disk = std::make_unique<SmallDisk>();
    server = std::make_unique<ServerProcess>(std::vector<std::string>{}, disk->path() + "/data",
                                             "127.0.0.1", std::map<std::string, std::string>{}, 0,
                                             logs.path());
  }
  void TearDown() override {
    server.reset();  // before the disk goes
    disk.reset();
  }

  HttpResponse call(const std::string& method, const std::string& path,
                    const nlohmann::json& body = nullptr, const std::string& cookie = "") {
    Headers headers{{"Origin", server->origin()}};
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    return httpRequest(server->host(), server->port(), method, path,
                       body.is_null() ? "" : body.dump(), headers);
  }
  HttpResponse signUp(const std::string& username, const ProvisionedCamera& camera) {
    return call("POST", "/api/register",
                {{"username", username},
                 {"password", kPassword},
                 {"cameraId", camera.cameraId},
                 {"claimCode", camera.claimCode}});
  }
  HttpResponse claim(const std::string& cookie, const ProvisionedCamera& camera) {
    return call("POST", "/api/cameras",
                {{"cameraId", camera.cameraId}, {"claimCode", camera.claimCode}}, cookie);
  }
  HttpResponse login(const std::string& username, const std::string& password = kPassword) {
    return call("POST", "/api/login", {{"username", username}, {"password", password}});
  }
  // The account's cameras (claimed in one second, their order is the IDs').
  std::set<std::string> cameraIds(const std::string& cookie) {
    auto response = call("GET", "/api/cameras", nullptr, cookie);
    EXPECT_EQ(response.status, 200) << response.body;
    std::set<std::string> ids;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object())
      for (const auto& camera : body["cameras"]) ids.insert(camera.value("id", ""));
    return ids;
  }
  std::unique_ptr<WsClient> openViewer(const std::string& cookie) {
    auto viewer = std::make_unique<WsClient>();
    EXPECT_TRUE(viewer->connect(server->host(), server->port(), "/ws",
                                {{"Origin", server->origin()}, {"Cookie", cookie}}))
        << viewer->refusedStatus();
    EXPECT_EQ(message(*viewer).value("type", ""), "hello");
    return viewer;
  }
  std::unique_ptr<WsClient> openCamera(const ProvisionedCamera& camera) {
    auto client = std::make_unique<WsClient>();
    EXPECT_TRUE(client->connect(server->host(), server->port(), "/ws/camera"));
    auto challenge = message(*client);
    auto key = seccam::crypto::fromHex(camera.deviceKey);
    EXPECT_TRUE(key.has_value());
    if (!key) return client;
    std::string nonce = challenge.value("nonce", "");
    client->send(nlohmann::json{{"type", "auth"},
                                {"camera", camera.cameraId},
                                {"signature", seccam::identity::signChallenge(*key, nonce,
                                                                              camera.cameraId)}}
                     .dump());
    EXPECT_EQ(message(*client).value("type", ""), "welcome");
    return client;
  }
  // Offer from the viewer, answer from the camera: the hub relays both ways.
  void expectSignaling(WsClient& viewer, WsClient& camera, const std::string& cameraId,
                       const std::string& session) {
    viewer.send(nlohmann::json{{"type", "offer"},
                               {"session", session},
                               {"camera", cameraId},
                               {"sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}}
                    .dump());
    auto offer = nextNonStatus(camera);
    EXPECT_EQ(offer.value("type", ""), "offer") << offer.dump();
    EXPECT_EQ(offer.value("session", ""), session);
    camera.send(nlohmann::json{{"type", "answer"}, {"session", session}, {"sdp", "v=0\r\n"}}.dump());
    auto answer = nextNonStatus(viewer);
    EXPECT_EQ(answer.value("type", ""), "answer") << answer.dump();
    EXPECT_EQ(answer.value("session", ""), session);
  }
  static void expectStorageFull(const HttpResponse& response, const std::string& what) {
    EXPECT_EQ(response.status, 507) << what << ": " << response.body;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    EXPECT_EQ(body.is_object() ? body["error"].value("code", "") : "", "storage_full")
        << what << ": " << response.body;
  }

  TempDir logs;  // outside the small disk, so that the server's log is never what fills it
  std::unique_ptr<SmallDisk> disk;
  std::unique_ptr<ServerProcess> server;
};

TEST_F(DiskFull, WritesGetAClearErrorNothingIsLostSignalingGoesOnAndWritesResumeWhenFreed) {
  auto cameras = server->provision(4);
  auto& annsCamera = cameras[0];
  auto& annsSecond = cameras[1];
  auto& bobsCamera = cameras[2];
  auto& lateCamera = cameras[3];  // connects only while the disk is full
  auto registered = signUp("ann", annsCamera);
  ASSERT_EQ(registered.status, 201) << registered.body;
  std::string ann = cookiePair(registered.header("set-cookie"));
  auto camera = openCamera(annsCamera);
  auto viewer = openViewer(ann);
  expectSignaling(*viewer, *camera, annsCamera.cameraId, "before-full-1");

  ASSERT_GT(disk->fill(), 0u);

  // Every write is refused with a clear error, and changes nothing.
  expectStorageFull(signUp("bob", bobsCamera), "sign-up");
  expectStorageFull(claim(ann, annsSecond), "claim");
  expectStorageFull(call("PATCH", "/api/cameras/" + annsCamera.cameraId, {{"name", "Porch"}}, ann),
                    "rename");
  // Signing in needs a new session row: the same clear error, not "wrong password".
  expectStorageFull(login("ann"), "sign-in");
  EXPECT_EQ(login("ann", "Wrong-pass99").status, 401);
  // What is stored is still served: the account's session and its camera.
  EXPECT_EQ(call("GET", "/api/me", nullptr, ann).status, 200);
  EXPECT_EQ(cameraIds(ann), std::set<std::string>{annsCamera.cameraId});
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  // Signaling goes on: the connected camera and viewer, a new viewer connection, and a camera
  // that connects now (its "last seen" cannot be written; it is let in all the same).
  expectSignaling(*viewer, *camera, annsCamera.cameraId, "while-full-1");
  auto secondViewer = openViewer(ann);
  expectSignaling(*secondViewer, *camera, annsCamera.cameraId, "while-full-2");
  auto late = openCamera(lateCamera);
  EXPECT_FALSE(late->closed());
  EXPECT_TRUE(server->process().running()) << show(server->process());

  disk->freeSpace();

  // Writes work again, without a restart.
  auto bob = signUp("bob", bobsCamera);
  EXPECT_EQ(bob.status, 201) << bob.body;
  EXPECT_EQ(claim(ann, annsSecond).status, 201);
  EXPECT_EQ(login("ann").status, 200);
  EXPECT_EQ(call("PATCH", "/api/cameras/" + annsCamera.cameraId, {{"name", "Porch"}}, ann).status,
            200);
  EXPECT_EQ(cameraIds(ann),
            (std::set<std::string>{annsCamera.cameraId, annsSecond.cameraId}));
  expectSignaling(*viewer, *camera, annsCamera.cameraId, "after-full-1");

  // And all of it is on disk: it is there after a restart.
  server->restart();
  EXPECT_EQ(login("bob").status, 200);
  EXPECT_EQ(cameraIds(ann),
            (std::set<std::string>{annsCamera.cameraId, annsSecond.cameraId}));
}
