#include "support/server_process.hpp"

#include <sys/wait.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "support/clients.hpp"
#include "support/test_store.hpp"

namespace seccam::test {

std::string serverBinary() { return std::string(SECCAM_BINARY_DIR) + "/src/server/seccam-server"; }
std::string cameraBinary() { return std::string(SECCAM_BINARY_DIR) + "/src/camera/seccam-camera"; }

ServerProcess::ServerProcess(std::vector<std::string> extraArgs, std::string dataDir,
                             std::string host, std::map<std::string, std::string> env,
                             unsigned short port, std::string logDir)
    : extraArgs_(std::move(extraArgs)), env_(std::move(env)), host_(std::move(host)),
      port_(port ? port : freePort(host_)) {
  env_.merge(testStoreEnvironment());  // the test's own settings win
  if (dataDir.empty()) {
    ownDir_ = std::make_unique<TempDir>();
    dataDir_ = ownDir_->path();
  } else {
    dataDir_ = std::move(dataDir);
  }
  logDir_ = logDir.empty() ? dataDir_ : std::move(logDir);
  start();
}

ServerProcess::~ServerProcess() { stop(); }

std::string ServerProcess::origin() const { return "http://" + host_ + ":" + std::to_string(port_); }

void ServerProcess::start() {
  std::vector<std::string> argv{serverBinary(), "serve", "--listen",
                                host_ + ":" + std::to_string(port_), "--data", dataDir_};
  argv.insert(argv.end(), extraArgs_.begin(), extraArgs_.end());
  std::string log = logDir_ + "/server-" + std::to_string(++starts_) + ".log";
  process_ = ChildProcess(argv, log, env_);
  bool up = waitFor(
      [&] {
        return process_.running() &&
               httpRequest(host_, port_, "GET", "/healthz", "", {}, std::chrono::milliseconds(500))
                       .status == 200;
      },
      std::chrono::seconds(10));
  if (!up) throw std::runtime_error("seccam-server did not start:\n" + process_.log());
}

void ServerProcess::stop() { process_.stop(); }

void ServerProcess::restart() {
  stop();
  start();
}

std::vector<ProvisionedCamera> ServerProcess::provision(int count) {
  return provisionCameras(dataDir_, host_ + ":" + std::to_string(port_), count, env_);
}

std::vector<ProvisionedCamera> provisionCameras(const std::string& dataDir,
                                                const std::string& listen, int count,
                                                std::map<std::string, std::string> env) {
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--count",
                            std::to_string(count), "--data", dataDir, "--listen", listen},
                           std::move(env));
  if (result.exitCode != 0) throw std::runtime_error("provision failed:\n" + result.output);
  std::vector<ProvisionedCamera> out;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '{') continue;
    auto j = nlohmann::json::parse(line);
    out.push_back({j.at("cameraId"), j.at("claimCode"), j.at("deviceKey"), j.at("server")});
  }
  if (static_cast<int>(out.size()) != count) {
    throw std::runtime_error("provision printed " + std::to_string(out.size()) + " cameras:\n" +
                             result.output);
  }
  return out;
}

RunResult runProgram(const std::vector<std::string>& argv, std::map<std::string, std::string> env) {
  env.merge(testStoreEnvironment());  // the caller's settings win
  TempDir dir;
  std::string log = dir.path() + "/out.log";
  ChildProcess child(argv, log, std::move(env));
  auto status = child.wait(std::chrono::seconds(60));
  RunResult r;
  r.output = readFile(log);
  r.exitCode = status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  child.stop();
  return r;
}

}  // namespace seccam::test
