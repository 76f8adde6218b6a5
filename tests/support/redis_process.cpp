#include "support/redis_process.hpp"

#include <csignal>
#include <stdexcept>

#include "support/server_process.hpp"

namespace seccam::test {

RedisProcess::RedisProcess() : port_(freePort()) { start(); }

RedisProcess::~RedisProcess() { process_.stop(SIGKILL); }

std::string RedisProcess::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisProcess::start() {
  std::string log = dir_.path() + "/redis-" + std::to_string(++starts_) + ".log";
  process_ = ChildProcess({"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                           "127.0.0.1", "--dir", dir_.path(), "--save", "", "--appendonly", "no",
                           "--protected-mode", "no", "--daemonize", "no"},
                          log);
  bool up = waitFor([&] { return process_.running() && cli({"PING"}) == "PONG"; },
                    std::chrono::seconds(10));
  if (!up) throw std::runtime_error("redis-server did not start:\n" + process_.log());
}

void RedisProcess::kill() { process_.stop(SIGKILL); }

std::string RedisProcess::cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p",
                                std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProgram(argv);
  auto out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace seccam::test
