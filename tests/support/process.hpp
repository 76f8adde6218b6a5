// Test support: child processes (real seccam-server, seccam-camera, coturn...) with their
// output captured to a file, killed when the handle goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seccam::test {

class ChildProcess {
 public:
  ChildProcess() = default;
  // Starts argv[0] (a path) with argv, extra environment variables and stdout+stderr
  // appended to logPath, in a process group of its own. Throws std::runtime_error when it
  // cannot start. It is killed when the thread that started it ends (PR_SET_PDEATHSIG): start
  // processes from the thread that lives as long as they should (the test's own).
  ChildProcess(std::vector<std::string> argv, std::string logPath,
               std::map<std::string, std::string> extraEnv = {});
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends a signal (SIGTERM by default) and waits up to `timeout`, then SIGKILLs.
  // Returns the exit status as from waitpid (or nullopt when it had to be killed).
  std::optional<int> stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Waits for exit up to `timeout`; the raw waitpid status or nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  const std::string& logPath() const { return logPath_; }
  std::string log() const;  // everything the process wrote so far

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string logPath_;
};

// A fresh directory under /tmp, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port on `host` that nothing listens on right now.
unsigned short freePort(const std::string& host = "127.0.0.1");

// Polls `predicate` every 20 ms until it is true or `timeout` passes.
template <typename Predicate>
bool waitFor(Predicate predicate, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    struct timespec ts{0, 20'000'000};
    nanosleep(&ts, nullptr);
  }
  return predicate();
}

std::string readFile(const std::string& path);

// A process's log under its path as a heading, for failure messages.
std::string show(ChildProcess& process);

}  // namespace seccam::test
