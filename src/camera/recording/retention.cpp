// Clip retention: see retention.hpp.
#include "camera/recording/retention.hpp"

#include <algorithm>

namespace seccam::camera {

std::vector<std::string> clipsToDelete(std::vector<StoredClip> clips, RetentionLimits limits,
                                       std::int64_t nowMs, const std::vector<std::string>& keep) {
  std::sort(clips.begin(), clips.end(), [](const StoredClip& a, const StoredClip& b) {
    return a.startMs != b.startMs ? a.startMs < b.startMs : a.id < b.id;
  });
  std::uint64_t total = 0;
  for (const auto& c : clips) total += c.bytes;
  std::vector<std::string> out;
  for (const auto& c : clips) {
    if (std::find(keep.begin(), keep.end(), c.id) != keep.end()) continue;
    bool tooOld = limits.maxAgeMs > 0 && nowMs - c.startMs > limits.maxAgeMs;
    bool overBudget = limits.budgetBytes > 0 && total > limits.budgetBytes;
    if (!tooOld && !overBudget) continue;
    out.push_back(c.id);
    total -= c.bytes;
  }
  return out;
}

}  // namespace seccam::camera
