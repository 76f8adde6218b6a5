// Test support: a throw-away redis-server (Debian's redis-server 7) on a free loopback port,
// in a temporary folder, persisting nothing (--save "" --appendonly no). Kill it and start
// it again on the same port to test what happens when Redis goes away mid-stream.
#pragma once

#include <memory>
#include <string>

#include "support/process.hpp"

namespace seccam::test {

class RedisProcess {
 public:
  // Starts it and waits until it answers PING (throws std::runtime_error with its log if
  // it does not within 10 s). With a password, Redis asks every client for it (requirepass).
  explicit RedisProcess(std::string password = "");
  ~RedisProcess();
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const;  // redis://127.0.0.1:PORT, for [bus] url
  // SIGKILL: no goodbye to its clients, and (persisting nothing) its data is gone.
  void kill();
  // Starts again on the same port.
  void start();
  bool running() { return process_.running(); }
  // Runs redis-cli against it; its output without the trailing newline.
  std::string cli(const std::vector<std::string>& args);
  ChildProcess& process() { return process_; }

 private:
  TempDir dir_;
  unsigned short port_;
  ChildProcess process_;
  int starts_ = 0;
  std::string password_;
};

}  // namespace seccam::test
