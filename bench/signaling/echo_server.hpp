// The latency floor for the signaling benchmark: a WebSocket server that sends every message
// straight back and does nothing else, on its own thread (on the target's CPUs when the run
// places it). The generator drives it exactly as it drives a relay, so what a relay's latency
// adds is what it shows over this.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <vector>

namespace seccam::bench {

class EchoServer {
 public:
  explicit EchoServer(const std::vector<int>& cpus);  // empty: any CPU
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  boost::asio::ip::tcp::endpoint endpoint() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace seccam::bench
