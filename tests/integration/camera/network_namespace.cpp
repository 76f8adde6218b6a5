// Network namespace for camera tests: see network_namespace.hpp.
#include "network_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "support/server_process.hpp"

namespace seccam::test {

namespace {
constexpr const char* kNamePrefix = "seccam-cam-";
std::atomic<int> counter{0};

void run(const std::vector<std::string>& argv) {
  auto result = runProgram(argv);
  if (result.exitCode != 0) {
    std::string command;
    for (const auto& a : argv) command += a + " ";
    throw std::runtime_error("failed: " + command + "\n" + result.output);
  }
}

// Namespaces left by a test process that died without cleaning up (its pid is gone).
void removeStaleNamespaces() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/var/run/netns", ec)) {
    std::string name = entry.path().filename();
    if (name.rfind(kNamePrefix, 0) != 0) continue;
    std::string rest = name.substr(std::char_traits<char>::length(kNamePrefix));
    pid_t pid = static_cast<pid_t>(std::atol(rest.substr(0, rest.find('-')).c_str()));
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
      runProgram({"/usr/sbin/ip", "netns", "del", name});
  }
}
}  // namespace

NetworkNamespace::NetworkNamespace() {
  removeStaleNamespaces();
  int n = counter++;
  pid_t pid = ::getpid();
  name_ = kNamePrefix + std::to_string(pid) + "-" + std::to_string(n);
  // Addresses differ per process and per namespace, so runs can never be confused.
  std::string subnet =
      "10." + std::to_string(100 + pid % 100) + "." + std::to_string(n % 250) + ".";
  cameraAddress_ = subnet + "1";
  viewerAddress_ = subnet + "2";
  const std::string ip = "/usr/sbin/ip";
  run({ip, "netns", "add", name_});
  try {
    auto inside = [&](std::vector<std::string> args) {
      std::vector<std::string> argv{ip, "netns", "exec", name_, ip};
      argv.insert(argv.end(), args.begin(), args.end());
      run(argv);
    };
    inside({"link", "set", "lo", "up"});
    inside({"link", "add", "cam0", "type", "veth", "peer", "name", "view0"});
    inside({"addr", "add", cameraAddress_ + "/24", "dev", "cam0"});
    inside({"addr", "add", viewerAddress_ + "/24", "dev", "view0"});
    inside({"link", "set", "cam0", "up"});
    inside({"link", "set", "view0", "up"});
    inside({"route", "add", "default", "via", subnet + "254", "dev", "cam0"});

    originalNamespaceFd_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (originalNamespaceFd_ < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
      if (target >= 0) ::close(target);
      throw std::runtime_error("cannot enter network namespace " + name_);
    }
    ::close(target);
  } catch (...) {
    runProgram({ip, "netns", "del", name_});
    throw;
  }
}

NetworkNamespace::~NetworkNamespace() {
  if (originalNamespaceFd_ >= 0) {
    ::setns(originalNamespaceFd_, CLONE_NEWNET);
    ::close(originalNamespaceFd_);
  }
  runProgram({"/usr/sbin/ip", "netns", "del", name_});
}

}  // namespace seccam::test
