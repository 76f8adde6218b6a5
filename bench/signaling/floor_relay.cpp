#include "floor_relay.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "cpu_placement.hpp"

namespace seccam::bench {

namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// The Sec-WebSocket-Accept value for a client's key (RFC 6455 §4.2.2).
std::string acceptValue(std::string_view key) {
  std::string text(key);
  text += kWebSocketGuid;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1> encoded{};
  int n = EVP_EncodeBlock(encoded.data(), digest.data(), SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}

// One client connection: its bytes not yet used, what it still has to be sent, its partner.
struct Connection {
  bool open = false;  // the upgrade is answered
  int partner = -1;
  bool waitingToWrite = false;  // EPOLLOUT is asked for
  std::string in;
  std::string out;
};

}  // namespace

// The loop: level-triggered epoll, one recv a readable connection a turn, every whole frame in
// it sent on with one send. No allocation a message beyond the connections' own buffers.
struct FloorRelay::State {
  int listener = -1;
  int epoll = -1;
  unsigned short port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<pid_t> tid{0};
  std::unordered_map<int, Connection> connections;
  int unpaired = -1;  // the last connection accepted, waiting for a partner
  std::thread thread;

  void watch(int fd, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll, op, fd, &ev);
  }

  void drop(int fd) {
    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    if (auto it = connections.find(fd); it != connections.end() && it->second.partner >= 0) {
      if (auto p = connections.find(it->second.partner); p != connections.end()) p->second.partner = -1;
    }
    if (unpaired == fd) unpaired = -1;
    connections.erase(fd);
  }

  void acceptAll() {
    for (int i = 0; i < 64; ++i) {  // bounded: the rest on the next turn (level-triggered)
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto& c = connections[fd];
      if (unpaired >= 0) {
        c.partner = unpaired;
        connections[unpaired].partner = fd;
        unpaired = -1;
      } else {
        unpaired = fd;
      }
      watch(fd, EPOLLIN, EPOLL_CTL_ADD);
    }
  }

  // Sends what `c` has queued; false when the connection is gone. Bounded: each turn sends
  // something or stops.
  bool flush(int fd, Connection& c) {
    while (!c.out.empty()) {
      ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno != EAGAIN) return false;
        if (!c.waitingToWrite) watch(fd, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        c.waitingToWrite = true;
        return true;
      }
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    if (c.waitingToWrite) watch(fd, EPOLLIN, EPOLL_CTL_MOD);
    c.waitingToWrite = false;
    return true;
  }

  // The client's upgrade request, answered once it is whole. False: not a WebSocket client.
  bool answerUpgrade(Connection& c) {
    auto end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return c.in.size() < 8192;
    std::string_view head(c.in.data(), end);
    constexpr std::string_view field = "Sec-WebSocket-Key:";
    std::size_t at = 0;
    for (std::size_t pos = 0; pos < head.size(); pos = at + 1) {
      at = head.find('\n', pos);
      if (at == std::string_view::npos) at = head.size();
      auto line = head.substr(pos, at - pos);
      if (line.size() > field.size() && strncasecmp(line.data(), field.data(), field.size()) == 0) {
        auto key = line.substr(field.size());
        while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
        while (!key.empty() && (key.back() == '\r' || key.back() == ' ')) key.remove_suffix(1);
        c.out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: " + acceptValue(key) + "\r\n\r\n";
        c.in.erase(0, end + 4);
        c.open = true;
        return true;
      }
    }
    return false;
  }

  // Every whole frame in `c.in`, unmasked and queued as the server's frame: text and binary to
  // `to` (the partner, or `c` itself), a ping's pong and a close's answer to `c`, and then the
  // end. False: close the connection.
  bool forwardFrames(Connection& c, Connection& to) {
    std::size_t used = 0;
    bool closing = false;
    while (!closing) {
      auto avail = c.in.size() - used;
      if (avail < 2) break;
      auto* p = reinterpret_cast<unsigned char*>(c.in.data() + used);
      unsigned opcode = p[0] & 0x0f;
      std::uint64_t length = p[1] & 0x7f;
      std::size_t header = 2;
      if (length == 126) {
        if (avail < 4) break;
        length = (std::uint64_t{p[2]} << 8) | p[3];
        header = 4;
      } else if (length == 127) {
        return false;  // the generator never sends 64 KiB
      }
      if ((p[1] & 0x80) == 0) return false;  // a client's frame is masked (RFC 6455 §5.3)
      if (avail < header + 4 + length) break;
      auto* mask = p + header;
      auto* payload = mask + 4;
      for (std::uint64_t i = 0; i < length; ++i) payload[i] ^= mask[i % 4];
      if (opcode == 0x9) opcode = 0xA;  // a ping gets its pong
      closing = opcode == 0x8;
      auto& out = opcode >= 0x8 ? c.out : to.out;
      out.push_back(static_cast<char>(0x80 | opcode));
      if (length < 126) {
        out.push_back(static_cast<char>(length));
      } else {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>(length >> 8));
        out.push_back(static_cast<char>(length & 0xff));
      }
      out.append(reinterpret_cast<const char*>(payload), length);
      used += header + 4 + length;
    }
    c.in.erase(0, used);
    return !closing;
  }

  void onReadable(int fd) {
    auto it = connections.find(fd);
    if (it == connections.end()) return;
    auto& c = it->second;
    char buffer[16384];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) return drop(fd);
    if (n < 0) return;
    c.in.append(buffer, static_cast<std::size_t>(n));
    int toFd = fd;
    if (auto p = connections.find(c.partner); p != connections.end() && p->second.open) toFd = c.partner;
    auto& to = toFd == fd ? c : connections[toFd];
    bool keep = c.open ? forwardFrames(c, to) : answerUpgrade(c) && forwardFrames(c, to);
    if (toFd != fd && !to.out.empty() && !flush(toFd, to)) drop(toFd);
    if (!flush(fd, c) || !keep) drop(fd);
  }

  void run() {
    tid = static_cast<pid_t>(::syscall(SYS_gettid));
    pthread_setname_np(pthread_self(), "floor-relay");
    std::array<epoll_event, 64> events{};
    while (!stopping.load(std::memory_order_relaxed)) {
      // Bounded: stop() is seen within 100 ms even with no traffic.
      int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == listener) {
          acceptAll();
        } else if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          onReadable(fd);
        } else if (auto it = connections.find(fd); it != connections.end()) {
          if (!flush(fd, it->second)) drop(fd);
        }
      }
    }
    for (auto& [fd, c] : connections) ::close(fd);
    connections.clear();
  }
};

FloorRelay::FloorRelay(const std::vector<int>& cpus) : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (s.listener < 0 || ::bind(s.listener, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(s.listener, 1024) != 0 ||
      ::getsockname(s.listener, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw std::runtime_error(std::string("floor relay: cannot listen: ") + std::strerror(errno));
  }
  s.port = ntohs(address.sin_port);
  s.epoll = ::epoll_create1(EPOLL_CLOEXEC);
  s.watch(s.listener, EPOLLIN, EPOLL_CTL_ADD);
  s.thread = std::thread([state = state_.get(), cpus] {
    if (!cpus.empty()) pinCallingThread(cpus);
    state->run();
  });
}

FloorRelay::~FloorRelay() {
  state_->stopping = true;
  state_->thread.join();
  ::close(state_->epoll);
  ::close(state_->listener);
}

boost::asio::ip::tcp::endpoint FloorRelay::endpoint() const {
  return {boost::asio::ip::address_v4::loopback(), state_->port};
}

std::uint64_t FloorRelay::cpuNanos() const {
  pid_t tid = state_->tid.load();
  if (tid == 0) return 0;
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  std::uint64_t ns = 0;
  in >> ns;
  return ns;
}

}  // namespace seccam::bench
