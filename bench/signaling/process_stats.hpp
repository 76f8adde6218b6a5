// Load generator: CPU time and resident memory of a process, read from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace seccam::bench {

// Total CPU time of every thread of `pid` in nanoseconds (sum of /proc/PID/task/*/schedstat).
std::uint64_t processCpuNanos(pid_t pid);
// VmRSS of `pid` in bytes.
std::uint64_t processRssBytes(pid_t pid);
// This process's own CPU time (user + system) in nanoseconds.
std::uint64_t selfCpuNanos();

}  // namespace seccam::bench
