#include "process_stats.hpp"

#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace seccam::bench {

std::uint64_t processCpuNanos(pid_t pid) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    std::uint64_t ns = 0;
    if (in >> ns) total += ns;
  }
  return total;
}

std::uint64_t threadCpuNanos(pid_t pid, std::string_view prefix) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream name(task.path() / "comm");
    std::string comm;
    if (!std::getline(name, comm) || comm.compare(0, prefix.size(), prefix) != 0) continue;
    std::ifstream in(task.path() / "schedstat");
    std::uint64_t ns = 0;
    if (in >> ns) total += ns;
  }
  return total;
}

std::uint64_t processRssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::uint64_t selfCpuNanos() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](timeval tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(tv.tv_usec) * 1000ull;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

}  // namespace seccam::bench
