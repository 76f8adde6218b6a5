// Test support: a real seccam-server process on a free loopback port with its own data
// folder, and provisioning through its real command line.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace seccam::test {

// Paths of the built programs (from the CMake build folder).
std::string serverBinary();
std::string cameraBinary();

struct ProvisionedCamera {
  std::string cameraId;
  std::string claimCode;
  std::string deviceKey;  // 64 hex digits
  std::string server;     // camera WebSocket URL
};

class ServerProcess {
 public:
  // Starts `seccam-server serve --listen HOST:PORT --data DIR <extraArgs>` and waits until
  // /healthz answers 200 (throws std::runtime_error with the log if it does not within 10 s).
  // Under SECCAM_TEST_STORE=postgres it stores in the current test's database (test_store.hpp).
  // `dataDir` empty: a fresh temporary folder owned by this object. The server's log goes to
  // `logDir` (default: the data folder; a test that fills the data disk puts it elsewhere).
  explicit ServerProcess(std::vector<std::string> extraArgs = {}, std::string dataDir = "",
                         std::string host = "127.0.0.1",
                         std::map<std::string, std::string> env = {}, unsigned short port = 0,
                         std::string logDir = "");
  ~ServerProcess();

  const std::string& host() const { return host_; }
  unsigned short port() const { return port_; }
  std::string origin() const;  // "http://HOST:PORT"
  const std::string& dataDir() const { return dataDir_; }
  ChildProcess& process() { return process_; }

  // Runs `seccam-server camera provision --json --count N --data DIR --listen HOST:PORT`.
  std::vector<ProvisionedCamera> provision(int count = 1);

  // Stops (SIGTERM) and starts again on the same port and data folder.
  void restart();
  void stop();
  void start();

 private:
  std::vector<std::string> extraArgs_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<TempDir> ownDir_;
  std::string dataDir_;
  std::string logDir_;
  std::string host_;
  unsigned short port_;
  ChildProcess process_;
  int starts_ = 0;
};

// `seccam-server camera provision --json --count N --data DIR --listen LISTEN`: cameras for
// the master key in DIR (DIR/master.key, created on first use), whether or not a server runs.
std::vector<ProvisionedCamera> provisionCameras(const std::string& dataDir,
                                                const std::string& listen, int count,
                                                std::map<std::string, std::string> env = {});

// Runs a program to completion, returning its exit status (waitpid form) and output; with
// the current test's store (test_store.hpp) in its environment, like ServerProcess.
struct RunResult {
  int exitCode = -1;
  std::string output;
};
RunResult runProgram(const std::vector<std::string>& argv,
                     std::map<std::string, std::string> env = {});

}  // namespace seccam::test
