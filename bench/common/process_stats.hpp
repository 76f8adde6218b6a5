// The benchmarks' view of a process under test: CPU time and resident memory, from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace seccam::bench {

// Total CPU time of every thread of `pid` in nanoseconds (sum of /proc/PID/task/*/schedstat).
std::uint64_t processCpuNanos(pid_t pid);
// CPU time of the threads of `pid` whose name starts with `prefix` (GStreamer names a queue's
// streaming thread "<queue>:src"), in nanoseconds.
std::uint64_t threadCpuNanos(pid_t pid, std::string_view prefix);
// VmRSS of `pid` in bytes.
std::uint64_t processRssBytes(pid_t pid);

inline double toSeconds(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e9; }
inline double toMebibytes(std::uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }
// This process's own CPU time (user + system) in nanoseconds.
std::uint64_t selfCpuNanos();
// The CPU time the hypervisor took from this virtual machine ("steal" in /proc/stat), summed
// over its CPUs, in nanoseconds: time a runnable thread here waited for the host. 0 on bare
// metal.
std::uint64_t machineStealNanos();
// Steal over a window as a share of all the machine's CPU time in it, in percent.
double stealPercent(std::uint64_t stealNanos, double elapsedSeconds);

}  // namespace seccam::bench
