// The test source's scripted scene: see test_scene.hpp.
#include "camera/motion/test_scene.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace seccam::camera {

namespace {
constexpr std::uint8_t kBlockLuma = 235;
// The block crosses the picture in this long, then comes back.
constexpr std::int64_t kCrossingMs = 2000;
// Noise read from a random offset into a table a little larger than a frame.
constexpr std::size_t kNoiseSlack = 4096;
}  // namespace

std::vector<ScenePeriod> parseMotionSchedule(std::string_view text) {
  std::vector<ScenePeriod> out;
  if (text.empty() || text == "none") return out;
  const std::string form =
      "the motion schedule must be periods like still:20,move:5 (seconds), or none";
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    auto colon = item.find(':');
    if (colon == std::string_view::npos) throw std::invalid_argument(form);
    auto kind = item.substr(0, colon);
    auto number = std::string(item.substr(colon + 1));
    std::size_t used = 0;
    double seconds = 0;
    try {
      seconds = std::stod(number, &used);
    } catch (const std::exception&) {
      throw std::invalid_argument(form);
    }
    if (used != number.size() || seconds <= 0 || seconds > 86400 ||
        (kind != "still" && kind != "move"))
      throw std::invalid_argument(form);
    out.push_back({kind == "move", static_cast<int>(seconds * 1000)});
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

TestScene::TestScene(TestSceneSettings settings, int width, int height)
    : periods_(parseMotionSchedule(settings.motion)),
      noise_(std::clamp(settings.noise, 0, 64)),
      width_(width),
      height_(height) {
  for (const auto& p : periods_) cycleMs_ += p.ms;
  if (noise_ > 0) {
    noiseTable_.resize(static_cast<std::size_t>(width_) * height_ + kNoiseSlack);
    std::uniform_int_distribution<int> n(-noise_, noise_);
    for (auto& v : noiseTable_) v = static_cast<std::int8_t>(n(random_));
  }
}

bool TestScene::movingAt(std::int64_t sinceStartMs) const {
  if (cycleMs_ <= 0) return false;
  std::int64_t t = sinceStartMs % cycleMs_;
  for (const auto& p : periods_) {
    if (t < p.ms) return p.moving;
    t -= p.ms;
  }
  return false;
}

std::int64_t TestScene::movedMs(std::int64_t sinceStartMs) const {
  if (cycleMs_ <= 0) return 0;
  std::int64_t moveInCycle = 0;
  for (const auto& p : periods_)
    if (p.moving) moveInCycle += p.ms;
  std::int64_t moved = (sinceStartMs / cycleMs_) * moveInCycle;
  std::int64_t t = sinceStartMs % cycleMs_;
  for (const auto& p : periods_) {
    std::int64_t part = std::min<std::int64_t>(t, p.ms);
    if (p.moving) moved += part;
    t -= part;
    if (t <= 0) break;
  }
  return moved;
}

void TestScene::paint(std::uint8_t* luma, int stride, std::int64_t sinceStartMs) {
  if (cycleMs_ > 0) {
    // A square a third of the picture high, going left and right across the middle.
    int side = std::max(2, height_ / 3);
    int travel = std::max(1, width_ - side);
    std::int64_t phase = movedMs(sinceStartMs) % (2 * kCrossingMs);
    std::int64_t along = phase < kCrossingMs ? phase : 2 * kCrossingMs - phase;
    int x0 = static_cast<int>(along * travel / kCrossingMs);
    int y0 = (height_ - side) / 2;
    for (int y = y0; y < y0 + side && y < height_; ++y)
      std::memset(luma + static_cast<std::ptrdiff_t>(y) * stride + x0, kBlockLuma,
                  static_cast<std::size_t>(std::min(side, width_ - x0)));
  }
  if (noise_ > 0) {
    std::size_t offset = std::uniform_int_distribution<std::size_t>(0, kNoiseSlack - 1)(random_);
    for (int y = 0; y < height_; ++y) {
      std::uint8_t* row = luma + static_cast<std::ptrdiff_t>(y) * stride;
      const std::int8_t* n = noiseTable_.data() + offset + static_cast<std::size_t>(y) * width_;
      for (int x = 0; x < width_; ++x) row[x] = static_cast<std::uint8_t>(std::clamp(row[x] + n[x], 0, 255));
    }
  }
}

}  // namespace seccam::camera
