// Viewers coming and going faster than the server lets one connection speak: every session
// costs the camera an answer and several candidates, and the server closes a connection that
// sends more than 50 messages a second sustained (burst 200) with 4429, which would take every
// viewer of the camera down with it. The camera paces what it sends below that limit and drops
// what it had queued for sessions that ended meanwhile.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "camera_world.hpp"
#include "common/protocol.hpp"
#include "support/clients.hpp"

using namespace seccam::test;
namespace protocol = seccam::protocol;

namespace {

// A browser-like offer (H.264 constrained baseline, recvonly). Nobody will answer the camera's
// ICE checks: each session ends with a bye once it has been answered.
const std::string kOffer =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:pAcE\r\n"
    "a=ice-pwd:pacingtestpassword0123456\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:00:1F:2E:3D:4C:5B:6A:79:88:97:A6:B5:C4:D3:E2:F1:"
    "00"
    "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

// Two viewer connections with four sessions each fill the camera's eight viewer slots; each
// round all eight are offered, answered and ended. Rounds enough that the camera's answers and
// candidates come to several times the server's burst.
constexpr int kConnections = 2;
constexpr int kSessionsPerConnection = 4;
constexpr int kRounds = 10;
}  // namespace

TEST(CameraPacing, ViewersChurningFastNeverGetTheCameraRateLimited) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);

  std::vector<std::unique_ptr<WsClient>> viewers;
  for (int c = 0; c < kConnections; ++c) {
    viewers.push_back(std::make_unique<WsClient>());
    ASSERT_TRUE(
        viewers.back()->connect(world.server().host(), world.server().port(), "/ws",
                                {{"Cookie", world.cookie()}, {"Origin", world.server().origin()}}));
    ASSERT_TRUE(viewers.back()->receive());  // hello
  }

  int fromCamera = 0;  // answers and candidates the viewers received
  for (int round = 0; round < kRounds; ++round) {
    std::map<std::string, bool> answered;  // session -> answered
    for (int c = 0; c < kConnections; ++c) {
      for (int s = 0; s < kSessionsPerConnection; ++s) {
        std::string session =
            "pace-" + std::to_string(round) + "-" + std::to_string(c) + "-" + std::to_string(s);
        answered[session] = false;
        ASSERT_TRUE(viewers[c]->send(
            protocol::serialize(protocol::Offer{session, world.camera().cameraId, kOffer, {}})));
      }
    }
    for (int c = 0; c < kConnections; ++c) {
      int answers = 0;
      while (answers < kSessionsPerConnection) {
        auto message = viewers[c]->receive(std::chrono::seconds(20));
        ASSERT_TRUE(message) << "round " << round << ": no answer from the camera" << show(camera)
                             << show(world.server().process());
        auto parsed = protocol::parseServerToViewer(*message);
        ASSERT_TRUE(parsed) << *message;
        if (auto* answer = std::get_if<protocol::Answer>(&*parsed.message)) {
          ASSERT_TRUE(answered.count(answer->session)) << "answer for another round: " << *message;
          answered[answer->session] = true;
          ++answers;
          ++fromCamera;
        } else if (std::holds_alternative<protocol::Candidate>(*parsed.message)) {
          ++fromCamera;
        } else if (std::holds_alternative<protocol::EventNotice>(*parsed.message)) {
          // The test picture moves: the camera's motion events reach its owner's pages too.
        } else {
          FAIL() << "round " << round << ": " << *message << show(camera);
        }
      }
    }
    for (int c = 0; c < kConnections; ++c) {
      for (int s = 0; s < kSessionsPerConnection; ++s) {
        std::string session =
            "pace-" + std::to_string(round) + "-" + std::to_string(c) + "-" + std::to_string(s);
        ASSERT_TRUE(viewers[c]->send(protocol::serialize(protocol::Bye{session, "viewer_left"})));
      }
    }
  }

  // Far past the server's burst: without pacing, the server would have closed the camera.
  EXPECT_GT(fromCamera, 2 * 200);
  EXPECT_TRUE(camera.running()) << show(camera);
  // Connected and authenticated once, never closed (rate limited: 4429), never reconnected.
  EXPECT_EQ(cameraEvents(camera, "connected").size(), 1u) << show(camera);
  EXPECT_TRUE(cameraEvents(camera, "disconnected").empty())
      << show(camera) << show(world.server().process());
}

namespace {

// The camera's established TCP connections to `port`, as descriptors of this process
// (pidfd_getfd: Linux 5.6, and the tests run as root). Empty when none is found.
std::vector<int> connectionsTo(pid_t pid, unsigned short port) {
  std::set<std::string> inodes;
  for (const char* table : {"tcp", "tcp6"}) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/net/" + table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode;
      auto colon = remote.rfind(':');
      if (state == "01" && colon != std::string::npos &&
          std::stoul(remote.substr(colon + 1), nullptr, 16) == port) {
        inodes.insert("socket:[" + inode + "]");
      }
    }
  }
  std::vector<int> out;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return out;
  std::error_code ec;
  for (auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (ec || !inodes.count(target.string())) continue;
    int fd = static_cast<int>(
        ::syscall(SYS_pidfd_getfd, pidfd, std::stoi(entry.path().filename().string()), 0));
    if (fd >= 0) out.push_back(fd);
  }
  ::close(pidfd);
  return out;
}

}  // namespace

// An answer and its candidates leave in a burst: with Nagle's algorithm each message after the
// first would wait for the server's acknowledgement (a round trip on a real network, or a
// delayed ACK's 40 ms), so the camera's connection to the server sends every message at once.
TEST(CameraPacing, TheConnectionToTheServerSendsEachMessageAtOnce) {
  CameraWorld world;
  auto camera = world.startCamera();
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);

  auto sockets = connectionsTo(camera.pid(), world.server().port());
  int noDelay = 0, got = -1;
  socklen_t size = sizeof noDelay;
  if (sockets.size() == 1) got = ::getsockopt(sockets[0], IPPROTO_TCP, TCP_NODELAY, &noDelay, &size);
  for (int fd : sockets) ::close(fd);  // our copies; the camera's own stay open
  ASSERT_EQ(sockets.size(), 1u) << "the camera's connection to the server" << show(camera);
  ASSERT_EQ(got, 0);
  EXPECT_NE(noDelay, 0) << "Nagle's algorithm is on for the camera's connection to the server";
}
