// Load generator: collects latency samples and reports percentiles.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace seccam::bench {

class LatencyRecorder {
 public:
  void add(std::uint64_t nanos) {
    samples_.push_back(nanos);
    sorted_ = false;
  }
  std::size_t count() const { return samples_.size(); }
  void clear() { samples_.clear(); }
  // p in [0, 100]; 0 when empty.
  double percentileMicros(double p) {
    if (samples_.empty()) return 0;
    if (!sorted_) std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
    auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples_.size() - 1));
    return static_cast<double>(samples_[index]) / 1000.0;
  }

 private:
  std::vector<std::uint64_t> samples_;
  bool sorted_ = false;
};

}  // namespace seccam::bench
