#include "process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

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

std::uint64_t machineStealNanos() {
  // "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks.
  std::ifstream in("/proc/stat");
  std::string label;
  std::uint64_t fields[8] = {};
  in >> label;
  for (auto& field : fields) in >> field;
  if (!in || label != "cpu") return 0;
  auto ticksPerSecond = static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK));
  return fields[7] * (1'000'000'000ull / ticksPerSecond);
}

double stealPercent(std::uint64_t stealNanos, double elapsedSeconds) {
  auto cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (elapsedSeconds <= 0 || cpus <= 0) return 0;
  return static_cast<double>(stealNanos) / 1e7 / elapsedSeconds / static_cast<double>(cpus);
}

}  // namespace seccam::bench
