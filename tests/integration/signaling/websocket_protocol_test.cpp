// The WebSocket layer as a client sees it on the wire (RFC 6455; docs/WEBSOCKET.md): the
// upgrade's checks, fragments and pings, the peer's close, and a client that breaks the
// protocol, which is closed with the RFC's code while everyone else is still served. A raw
// socket speaks to the server, since a WebSocket library would never send what is broken.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

constexpr const char* kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr int kTimeoutMs = 5000;

struct Frame {
  int opcode = -1;  // -1: the connection ended (or nothing came in time)
  std::string payload;
  int closeCode() const {
    return payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                     static_cast<unsigned char>(payload[1])
                               : 0;
  }
};

// A client frame (masked), as RFC 6455 §5.2 lays it out; `fin` false for a fragment.
std::string frame(int opcode, std::string_view payload, bool fin = true, bool masked = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | opcode);
  unsigned char maskBit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out += static_cast<char>(maskBit | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    out += static_cast<char>(maskBit | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(maskBit | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((payload.size() >> (8 * i)) & 0xFF);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) out.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  }
  return out;
}

std::string closeFrame(int code, std::string_view reason) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return frame(0x8, payload + std::string(reason));
}

// One TCP connection to the server, blocking with a timeout on every read.
class RawClient {
 public:
  // `receiveBuffer`: the socket's receive buffer in bytes (0: the system's default), set
  // before connecting so that the window the server sees follows it.
  explicit RawClient(unsigned short port, int receiveBuffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receiveBuffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // The response head to an upgrade of `path` (up to the blank line).
  std::string upgrade(const std::string& path, const std::string& version = "13",
                      const std::string& key = kRfcKey) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                          "Connection: Upgrade\r\nUpgrade: websocket\r\n" +
                          "Sec-WebSocket-Version: " + version + "\r\n";
    if (!key.empty()) request += "Sec-WebSocket-Key: " + key + "\r\n";
    send(request + "\r\n");
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      char c;
      if (!readExactly(&c, 1)) break;
      head += c;
    }
    return head;
  }

  // The next frame from the server (unmasked, not fragmented: what the server sends).
  Frame readFrame() {
    unsigned char header[2];
    Frame out;
    if (!readExactly(reinterpret_cast<char*>(header), 2)) return out;
    std::size_t length = header[1] & 0x7F;
    if (length == 126) {
      unsigned char ext[2];
      if (!readExactly(reinterpret_cast<char*>(ext), 2)) return out;
      length = (ext[0] << 8) | ext[1];
    } else if (length == 127) {
      return out;  // never this long in these tests
    }
    std::string payload(length, '\0');
    if (!readExactly(payload.data(), length)) return out;
    out.opcode = header[0] & 0x0F;
    out.payload = std::move(payload);
    return out;
  }

  // Frames until a close frame (returned) or the end of the connection.
  Frame readUntilClose() {
    for (int i = 0; i < 100; ++i) {
      auto next = readFrame();
      if (next.opcode == -1 || next.opcode == 0x8) return next;
    }
    return {};
  }

  // The server ended the TCP connection (end of stream or reset) within the timeout; what
  // it still sent before that (a refusal's body) is skipped.
  bool endedByServer() {
    char buffer[512];
    for (int i = 0; i < 1000; ++i) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, kTimeoutMs) != 1) return false;
      if (::recv(fd_, buffer, sizeof buffer, 0) <= 0) return true;
    }
    return false;
  }

 private:
  bool readExactly(char* out, std::size_t bytes) {
    while (bytes > 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, kTimeoutMs) != 1) return false;
      auto n = ::recv(fd_, out, bytes, 0);
      if (n <= 0) return false;
      out += n;
      bytes -= static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
};

class WebSocketProtocol : public SignalingTest {
 protected:
  // A raw camera connection past the upgrade, its challenge's nonce read.
  std::unique_ptr<RawClient> openRawCamera(std::string* nonce = nullptr, int receiveBuffer = 0) {
    auto raw = std::make_unique<RawClient>(server.port(), receiveBuffer);
    EXPECT_TRUE(raw->connected());
    auto head = raw->upgrade("/ws/camera");
    EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    auto challenge = raw->readFrame();
    EXPECT_EQ(challenge.opcode, 0x1);
    auto parsed = json::parse(challenge.payload, nullptr, false);
    EXPECT_EQ(parsed.value("type", ""), "challenge") << challenge.payload;
    if (nonce) *nonce = parsed.value("nonce", "");
    return raw;
  }

  // Someone else, connected all along, is still served: a camera coming online reaches an
  // owner's open page.
  void othersAreStillServed(const Account& owner, const ProvisionedCamera& camera) {
    auto viewer = openViewer(owner);
    auto cameraConnection = openCamera(camera);
    json status = nextMessage(*viewer);
    EXPECT_EQ(status.value("type", ""), "status") << status.dump();
    EXPECT_EQ(status.value("online", false), true);
  }
};

TEST_F(WebSocketProtocol, TheUpgradeIsAnsweredAsTheRfcSays) {
  RawClient good(server.port());
  auto head = good.upgrade("/ws/camera");
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos)
      << head;

  RawClient oldVersion(server.port());
  head = oldVersion.upgrade("/ws/camera", "8");
  EXPECT_EQ(head.rfind("HTTP/1.1 426", 0), 0u) << head;
  EXPECT_NE(head.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos) << head;
  EXPECT_TRUE(oldVersion.endedByServer());

  RawClient noKey(server.port());
  head = noKey.upgrade("/ws/camera", "13", "");
  EXPECT_EQ(head.rfind("HTTP/1.1 400", 0), 0u) << head;
  EXPECT_TRUE(noKey.endedByServer());
}

TEST_F(WebSocketProtocol, FragmentsAreReassembledAndPingsBetweenThemAnswered) {
  auto cams = server.provision(1);
  std::string nonce;
  auto raw = openRawCamera(&nonce);
  std::string auth = json{{"type", "auth"},
                          {"camera", cams[0].cameraId},
                          {"signature", signatureFor(cams[0].deviceKey, nonce, cams[0].cameraId)}}
                         .dump();
  auto third = auth.size() / 3;
  raw->send(frame(0x1, auth.substr(0, third), false));
  raw->send(frame(0x9, "still there?"));
  raw->send(frame(0x0, auth.substr(third, third), false));
  raw->send(frame(0x0, auth.substr(2 * third), true));
  auto pong = raw->readFrame();
  EXPECT_EQ(pong.opcode, 0xA);
  EXPECT_EQ(pong.payload, "still there?");
  auto welcome = raw->readFrame();
  ASSERT_EQ(welcome.opcode, 0x1);
  EXPECT_EQ(json::parse(welcome.payload).value("type", ""), "welcome") << welcome.payload;
}

TEST_F(WebSocketProtocol, APeersCloseIsAnsweredWithItsCodeAndTheConnectionEnds) {
  auto raw = openRawCamera();
  raw->send(closeFrame(1001, "leaving"));
  auto answer = raw->readUntilClose();
  EXPECT_EQ(answer.opcode, 0x8);
  EXPECT_EQ(answer.closeCode(), 1001);
  EXPECT_TRUE(raw->endedByServer());
}

TEST_F(WebSocketProtocol, ABreachOfTheProtocolIsClosedWithItsCodeAndOthersAreStillServed) {
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  struct Case {
    const char* name;
    std::string bytes;
    int code;
  };
  std::vector<Case> cases = {
      {"unmasked", frame(0x1, "{}", true, false), 1002},
      {"reserved bit", std::string(1, '\xC1') + frame(0x1, "{}").substr(1), 1002},
      {"unknown opcode", frame(0x3, "x"), 1002},
      {"continuation first", frame(0x0, "x"), 1002},
      {"fragmented ping", frame(0x9, "x", false), 1002},
      {"invalid UTF-8", frame(0x1, "{\"type\":\"caf\xC3\"}"), 1007},
      {"over the size limit", frame(0x1, std::string(65 * 1024, 'x')), 1009},
  };
  for (const auto& c : cases) {
    auto raw = openRawCamera();
    raw->send(c.bytes);
    auto answer = raw->readUntilClose();
    EXPECT_EQ(answer.opcode, 0x8) << c.name;
    EXPECT_EQ(answer.closeCode(), c.code) << c.name;
    EXPECT_TRUE(raw->endedByServer()) << c.name;
  }
  othersAreStillServed(ann, cams[0]);
}

// The server reads a plain socket without a recv that finds nothing (docs/IO-SHARDS.md, "Reads
// without a speculative recv"): it waits for readiness only once it knows the socket is empty.
// Whatever way the bytes arrive, every one is read: a frame in pieces with pauses between
// them, a burst far larger than one read, and input that keeps coming while the server's
// writes wait for a client that does not read. Pings are the probe: each is answered with a
// pong carrying its payload, whatever the connection has said so far.
TEST_F(WebSocketProtocol, EveryByteIsReadHoweverItArrives) {
  auto ping = [](int i) { return frame(0x9, "ping-" + std::to_string(i)); };
  auto expectPongs = [](RawClient& raw, int from, int to) {
    for (int i = from; i < to; ++i) {
      auto pong = raw.readFrame();
      ASSERT_EQ(pong.opcode, 0xA) << "pong " << i;
      ASSERT_EQ(pong.payload, "ping-" + std::to_string(i));
    }
  };

  // In pieces: each piece is read short, and the rest must still be waited for and read.
  auto pieces = openRawCamera();
  for (int i = 0; i < 3; ++i) {
    auto bytes = ping(i);
    for (std::size_t at = 0; at < bytes.size(); at += 3) {
      pieces->send(bytes.substr(at, 3));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    expectPongs(*pieces, i, i + 1);
  }

  // A burst of many reads' worth in one go: the server reads on until the socket is empty.
  constexpr int kBurst = 1000;  // about 13 KiB, more than the largest read (8 KiB)
  auto burst = openRawCamera();
  std::string bytes;
  for (int i = 0; i < kBurst; ++i) bytes += ping(i);
  burst->send(bytes);
  expectPongs(*burst, 0, kBurst);
  burst->send(ping(kBurst));
  expectPongs(*burst, kBurst, kBurst + 1);

  // A camera that does not read while a viewer sends it more than the socket buffers hold:
  // the server's writes to it wait for the socket, and what the camera sends meanwhile is
  // still read and answered. Once it reads, every candidate and every pong comes.
  constexpr int kCandidates = 150;  // 9 MiB: past the send buffer's limit (4 MiB), within
                                    // the write queue's 256 messages and the burst allowance
  constexpr int kPings = 20;
  auto cams = server.provision(1);
  auto ann = registerAccount("ann", cams[0]);
  std::string nonce;
  auto stalled = openRawCamera(&nonce, 4096);
  stalled->send(frame(0x1, json{{"type", "auth"},
                                {"camera", cams[0].cameraId},
                                {"signature", signatureFor(cams[0].deviceKey, nonce,
                                                           cams[0].cameraId)}}
                               .dump()));
  auto welcome = stalled->readFrame();
  ASSERT_NE(welcome.payload.find("\"welcome\""), std::string::npos)
      << welcome.opcode << " " << welcome.payload;
  auto viewer = openViewer(ann);
  viewer->send(offerMessage("stalled-session", cams[0].cameraId).dump());
  auto offer = stalled->readFrame();
  ASSERT_NE(offer.payload.find("\"offer\""), std::string::npos)
      << offer.opcode << " " << offer.payload;
  std::string bulk = candidateMessage("stalled-session", std::string(60 * 1024, 'c')).dump();
  for (int i = 0; i < kCandidates; ++i) viewer->send(bulk);
  for (int i = 0; i < kPings; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stalled->send(ping(i));
  }
  int candidates = 0, pongs = 0;
  for (int i = 0; i < kCandidates + kPings; ++i) {
    auto next = stalled->readFrame();
    ASSERT_NE(next.opcode, -1) << candidates << " candidates and " << pongs << " pongs came";
    if (next.opcode == 0xA) {
      EXPECT_EQ(next.payload, "ping-" + std::to_string(pongs));
      ++pongs;
    } else {
      ++candidates;
    }
  }
  EXPECT_EQ(candidates, kCandidates);
  EXPECT_EQ(pongs, kPings);
  stalled->send(ping(kPings));
  expectPongs(*stalled, kPings, kPings + 1);
}

}  // namespace
}  // namespace seccam::test
