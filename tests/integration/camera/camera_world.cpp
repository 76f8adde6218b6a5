// Camera integration test world: see camera_world.hpp.
#include "camera_world.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/clients.hpp"

namespace seccam::test {

namespace {
constexpr const char* kUsername = "camtester";
constexpr const char* kPassword = "Camera-Test-42!";
// 200 relay ports. The test viewers never give their relays back (coturn keeps them for
// their lifetime); each of their agents takes up to two (one per local address in the
// namespace), and the churn test runs 36 of them: up to 72. With 100 ports the churn test
// once failed in round 11, a relay-only viewer whose ICE never connected, where a pool near
// its end was the likely cause. That the camera gives its own relays back is checked by
// CameraTurnChurn in coturn's log (refreshes with lifetime 0), not by running the pool dry.
constexpr int kTurnRelayMinPort = 49152;
constexpr int kTurnRelayMaxPort = 49351;
// coturn prints no clear "ready" line: it is ready once its TCP listener accepts.
bool tcpAccepts(const std::string& address, unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  ::close(fd);
  return ok;
}
}  // namespace

std::string viewerBinary() {
  return std::string(SECCAM_BINARY_DIR) + "/tests/tools/seccam-test-viewer";
}
std::string rtspServerBinary() {
  return std::string(SECCAM_BINARY_DIR) + "/tests/tools/seccam-test-rtsp-server";
}

std::vector<std::string> linesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
  }
  return out;
}

int countOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (auto at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++count;
  return count;
}

int framesDecoded(const std::string& viewerLog) {
  int best = 0;
  for (const auto& line : linesStartingWith(viewerLog, "frames ")) {
    best = std::max(best, std::atoi(line.c_str() + 7));
  }
  return best;
}

namespace {
std::string eventLogOf(const ChildProcess& camera) {
  std::string path = camera.logPath();
  return path.substr(0, path.rfind('.')) + ".events";
}
}  // namespace

std::vector<CameraEvent> cameraEvents(const ChildProcess& camera) {
  std::vector<CameraEvent> out;
  std::ifstream in(eventLogOf(camera));
  for (std::string line; std::getline(in, line);) {
    // A line still being written has no end yet: it is read next time.
    if (in.eof()) break;
    out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::vector<CameraEvent> cameraEvents(const ChildProcess& camera, std::string_view kind,
                                      const EventMatch& match) {
  std::vector<CameraEvent> out;
  for (auto& event : cameraEvents(camera)) {
    if (event.value("event", "") == kind && (!match || match(event)))
      out.push_back(std::move(event));
  }
  return out;
}

bool waitEvents(const ChildProcess& camera, std::string_view kind, std::size_t count,
                const EventMatch& match, std::chrono::milliseconds timeout) {
  return waitFor([&] { return cameraEvents(camera, kind, match).size() >= count; }, timeout);
}

EventMatch withField(const std::string& name, CameraEvent value) {
  return [name, value = std::move(value)](const CameraEvent& event) {
    return event.contains(name) && event[name] == value;
  };
}

CameraWorld::CameraWorld(bool withTurn, std::vector<std::string> extraTurnUrls,
                         std::vector<std::string> serverArgs)
    : ns_(std::make_unique<NetworkNamespace>()) {
  if (withTurn) {
    std::string address = ns_->cameraAddress();
    unsigned short port = freePort(address);
    std::string secret = "turn-secret-" + std::to_string(::getpid());
    coturn_ = ChildProcess(
        // Line-buffered, so that its log can be read while it runs.
        {"/usr/bin/stdbuf",
         "-oL",
         "/usr/bin/turnserver",
         "-n",
         "-v",
         "--no-cli",
         "--no-tls",
         "--no-dtls",
         "--listening-ip=" + address,
         "--relay-ip=" + address,
         "--listening-port=" + std::to_string(port),
         "--min-port=" + std::to_string(kTurnRelayMinPort),
         "--max-port=" + std::to_string(kTurnRelayMaxPort),
         "--use-auth-secret",
         "--static-auth-secret=" + secret,
         "--realm=seccam.test",
         "--fingerprint",
         "--no-multicast-peers",
         "--log-file=stdout",
         "--simple-log",
         "--pidfile=" + dir() + "/turn.pid",
         "--userdb=" + dir() + "/turndb"},
        dir() + "/coturn.log");
    if (!waitFor([&] { return tcpAccepts(address, port); }, kLogTimeout)) {
      throw std::runtime_error("coturn did not start:\n" + coturn_.log());
    }
    std::string urls = "turn:" + address + ":" + std::to_string(port) + "?transport=udp";
    for (const auto& url : extraTurnUrls) urls += "," + url;
    serverArgs.insert(serverArgs.end(), {"--turn-secret", secret, "--turn-urls", urls});
  }
  server_ = std::make_unique<ServerProcess>(std::move(serverArgs));
  camera_ = server_->provision(1).at(0);
  std::string body = std::string("{\"username\":\"") + kUsername + "\",\"password\":\"" +
                     kPassword + "\",\"cameraId\":\"" + camera_.cameraId + "\",\"claimCode\":\"" +
                     camera_.claimCode + "\"}";
  auto response =
      httpRequest(server_->host(), server_->port(), "POST", "/api/register", body,
                  {{"Content-Type", "application/json"}, {"Origin", server_->origin()}});
  if (response.status != 201) {
    throw std::runtime_error("register failed: " + std::to_string(response.status) + " " +
                             response.body);
  }
  cookie_ = cookiePair(response.header("set-cookie"));
}

ChildProcess CameraWorld::startCamera(std::vector<std::string> extraArgs, const std::string& name) {
  // The config file exactly as `seccam-server camera provision` wrote it (server URL, camera ID,
  // device key); flags add small test sizes and whatever the test overrides.
  std::string config = server_->dataDir() + "/cameras/" + camera_.cameraId + ".toml";
  std::vector<std::string> argv{cameraBinary(), "--config", config,      "--width", "320",
                                "--height",     "240",      "--bitrate", "500"};
  std::string base = dir() + "/" + name + "-" + std::to_string(++processes_);
  // Its own data folder (clips/) in the test's folder.
  argv.insert(argv.end(), {"--event-log", base + ".events", "--data", base + ".data"});
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  // GStreamer warnings in the camera's log explain a failure when there is one.
  return ChildProcess(argv, base + ".log", {{"GST_DEBUG", "2"}, {"GST_DEBUG_NO_COLOR", "1"}});
}

ChildProcess CameraWorld::startViewer(std::vector<std::string> extraArgs, const std::string& name) {
  std::vector<std::string> argv{
      viewerBinary(),  "--server", server_->host() + ":" + std::to_string(server_->port()),
      "--cookie",      cookie_,    "--camera",
      camera_.cameraId};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  return ChildProcess(argv, dir() + "/" + name + "-" + std::to_string(++processes_) + ".log");
}

bool CameraWorld::waitAuthenticated(ChildProcess& camera, int times) {
  return waitEvents(camera, "connected", static_cast<std::size_t>(times));
}

bool CameraWorld::waitFrames(ChildProcess& viewer, int frames, std::chrono::milliseconds timeout) {
  return waitFor([&] { return framesDecoded(viewer.log()) > frames; }, timeout);
}

}  // namespace seccam::test
