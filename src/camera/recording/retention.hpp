// Which clips to delete: every clip older than the maximum age, then the oldest until the
// rest fit the disk budget. Plain logic over a listing, unit-tested without a disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seccam::camera {

struct StoredClip {
  std::string id;             // its files are <id>.mp4 and <id>.jpg
  std::uint64_t bytes = 0;    // all of its files together
  std::int64_t startMs = 0;   // when it starts (wall clock, ms since the Unix epoch)
};

struct RetentionLimits {
  std::uint64_t budgetBytes = 0;  // 0: no budget
  std::int64_t maxAgeMs = 0;      // 0: no age limit
};

// The IDs to delete, oldest first. `keep` (a clip being written) is never chosen, but its
// bytes count.
std::vector<std::string> clipsToDelete(std::vector<StoredClip> clips, RetentionLimits limits,
                                       std::int64_t nowMs, const std::vector<std::string>& keep = {});

}  // namespace seccam::camera
