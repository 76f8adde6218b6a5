#include "cpu_placement.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace seccam::bench {

namespace fs = std::filesystem;

namespace {

int cpuCount() { return static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN))); }

cpu_set_t toSet(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  return set;
}

void writeFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text << std::flush;
  if (!out) throw std::runtime_error("cannot write '" + text + "' to " + path.string());
}

// Whether cgroup v2's root hands the cpu controller to its children (cpu.max exists there).
bool hasCpuController(const fs::path& v2root) {
  std::ifstream in(v2root / "cgroup.subtree_control");
  std::string word;
  while (in >> word) {
    if (word == "cpu") return true;
  }
  return false;
}

}  // namespace

std::vector<int> parseCpuList(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream items(text);
  std::string item;
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    int n = -1;
    try {
      n = std::stoi(s, &used);
    } catch (const std::exception&) {
    }
    if (n < 0 || used != s.size() || n >= cpuCount()) {
      throw std::invalid_argument("'" + text + "' is not a list of this machine's CPUs (0-" +
                                  std::to_string(cpuCount() - 1) + ")");
    }
    return n;
  };
  while (std::getline(items, item, ',')) {
    auto dash = item.find('-');
    int first = number(item.substr(0, dash));
    int last = dash == std::string::npos ? first : number(item.substr(dash + 1));
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  if (cpus.empty()) throw std::invalid_argument("no CPU named in '" + text + "'");
  return cpus;
}

std::vector<int> otherCpus(const std::vector<int>& cpus) {
  std::vector<int> rest;
  for (int cpu = 0; cpu < cpuCount(); ++cpu) {
    if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) rest.push_back(cpu);
  }
  return rest;
}

void pinCallingThread(const std::vector<int>& cpus) {
  auto set = toSet(cpus);
  if (::sched_setaffinity(0, sizeof set, &set) != 0) {
    throw std::system_error(errno, std::generic_category(), "sched_setaffinity");
  }
}

ChildCpus::ChildCpus(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  if (::sched_getaffinity(0, sizeof saved_, &saved_) != 0) {
    throw std::system_error(errno, std::generic_category(), "sched_getaffinity");
  }
  pinCallingThread(cpus);
  active_ = true;
}

ChildCpus::~ChildCpus() {
  if (active_) ::sched_setaffinity(0, sizeof saved_, &saved_);
}

CpuQuota::CpuQuota(double cores) {
  constexpr long kPeriodMicros = 10000;
  if (!(cores > 0)) throw std::invalid_argument("a CPU quota must be more than 0 cores");
  auto quota = std::max(1000L, static_cast<long>(cores * kPeriodMicros));
  auto name = "seccam-bench-" + std::to_string(::getpid());
  bool v2 = hasCpuController("/sys/fs/cgroup");
  if (v2) {
    root_ = "/sys/fs/cgroup";
  } else if (fs::exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")) {  // cgroup v1
    root_ = "/sys/fs/cgroup/cpu";
  } else {
    throw std::runtime_error("no cgroup CPU controller is available here: a CPU quota needs one (and root)");
  }
  group_ = root_ + "/" + name;
  fs::create_directory(group_);
  try {
    if (v2) {
      writeFile(fs::path(group_) / "cpu.max", std::to_string(quota) + " " + std::to_string(kPeriodMicros));
    } else {
      writeFile(fs::path(group_) / "cpu.cfs_period_us", std::to_string(kPeriodMicros));
      writeFile(fs::path(group_) / "cpu.cfs_quota_us", std::to_string(quota));
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove(group_, ignored);
    throw;
  }
}

void CpuQuota::add(pid_t pid) {
  writeFile(fs::path(group_) / "cgroup.procs", std::to_string(pid));
  pids_.push_back(pid);
}

CpuQuota::~CpuQuota() {
  for (auto pid : pids_) {
    std::ofstream(fs::path(root_) / "cgroup.procs") << pid << std::flush;  // it may have exited
  }
  std::error_code ignored;
  fs::remove(group_, ignored);  // rmdir: a cgroup's files go with it
}

}  // namespace seccam::bench
