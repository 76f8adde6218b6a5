// Where the processes under test may run, for benchmarks that share a small machine with their
// own load generator: a CPU set (affinity) and a CPU budget (a cgroup's CPU quota).
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace seccam::bench {

// "0", "0,1", "0-1": the CPUs named; throws std::invalid_argument on anything else.
std::vector<int> parseCpuList(const std::string& text);
// The CPUs this machine has that are not in `cpus`.
std::vector<int> otherCpus(const std::vector<int>& cpus);
// Pins the calling thread (and what it later starts) to `cpus`.
void pinCallingThread(const std::vector<int>& cpus);

// While it lives, the calling thread runs on `cpus`, so that the processes it starts inherit
// that set; at destruction the thread gets back the set it had.
class ChildCpus {
 public:
  explicit ChildCpus(const std::vector<int>& cpus);
  ~ChildCpus();
  ChildCpus(const ChildCpus&) = delete;
  ChildCpus& operator=(const ChildCpus&) = delete;

 private:
  cpu_set_t saved_{};
  bool active_ = false;
};

// A cgroup whose processes share `cores` CPUs' worth of time (cgroup v2's cpu.max, or v1's CFS
// quota), with a 10 ms period so that a throttled process waits at most that long. Processes
// added go to the hierarchy's root group (not back to where they were: the benchmark's
// processes come from its own, unlimited group), and the group is removed, at destruction. Throws
// std::runtime_error where no CPU controller is mounted or writable.
class CpuQuota {
 public:
  explicit CpuQuota(double cores);
  ~CpuQuota();
  CpuQuota(const CpuQuota&) = delete;
  CpuQuota& operator=(const CpuQuota&) = delete;
  void add(pid_t pid);  // every thread of the process, and those it starts later

 private:
  std::string root_;   // the hierarchy's root, where processes go back to
  std::string group_;  // our group's directory
  std::vector<pid_t> pids_;
};

}  // namespace seccam::bench
