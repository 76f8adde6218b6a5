// The floor for the signaling benchmark: the least a WebSocket relay can do on this machine.
// Bare epoll, no library, no parsing beyond the frame header: each connection is paired with
// the one accepted next to it, and every message one sends goes to the other (a connection
// left without a partner gets its own back). One epoll_wait a turn, one recv and one send a
// message, and the TCP acknowledgements of a relay (data in on one socket, out on another):
// what any relay pays here. It runs on its own thread (on the target's CPUs when the run places
// it); the generator drives it exactly as it drives a relay, so what a relay adds, in latency
// and in CPU a message, is what it shows over this.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace seccam::bench {

class FloorRelay {
 public:
  explicit FloorRelay(const std::vector<int>& cpus);  // empty: any CPU
  ~FloorRelay();
  FloorRelay(const FloorRelay&) = delete;
  FloorRelay& operator=(const FloorRelay&) = delete;
  boost::asio::ip::tcp::endpoint endpoint() const;
  // The CPU time its thread has used, in nanoseconds.
  std::uint64_t cpuNanos() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace seccam::bench
