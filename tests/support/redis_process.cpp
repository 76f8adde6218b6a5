#include "support/redis_process.hpp"

#include <csignal>
#include <stdexcept>
#include <utility>

#include "support/server_process.hpp"

namespace seccam::test {

RedisProcess::RedisProcess(std::string password) : port_(freePort()), password_(std::move(password)) {
  start();
}

RedisProcess::~RedisProcess() { process_.stop(SIGKILL); }

std::string RedisProcess::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

void RedisProcess::start() {
  std::string log = dir_.path() + "/redis-" + std::to_string(++starts_) + ".log";
  std::vector<std::string> argv{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind",
                                "127.0.0.1", "--dir", dir_.path(), "--save", "", "--appendonly", "no",
                                "--protected-mode", "no", "--daemonize", "no"};
  if (!password_.empty()) argv.insert(argv.end(), {"--requirepass", password_});
  process_ = ChildProcess(argv, log);
  bool up = waitFor([&] { return process_.running() && cli({"PING"}) == "PONG"; },
                    std::chrono::seconds(10));
  if (!up) throw std::runtime_error("redis-server did not start:\n" + process_.log());
}

void RedisProcess::kill() { process_.stop(SIGKILL); }

std::string RedisProcess::cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p",
                                std::to_string(port_)};
  if (!password_.empty()) argv.insert(argv.end(), {"--no-auth-warning", "-a", password_});
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = runProgram(argv);
  auto out = result.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace seccam::test
