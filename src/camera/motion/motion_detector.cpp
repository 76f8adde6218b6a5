// Motion detection: see motion_detector.hpp.
#include "camera/motion/motion_detector.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace seccam::camera {

namespace {
// How fast the background follows the scene per analysed frame: at 8 frames a second a light
// change is absorbed in a few seconds, a person crossing the picture is not.
constexpr float kBackgroundRate = 0.05f;
// Pixels that differ follow more slowly, so a slow object does not blend in while it moves;
// one that stops no longer counts as moving (it does not differ from the last frame) and
// blends in over a few seconds.
constexpr float kChangedBackgroundRate = 0.02f;
// The noise floor follows the mean absolute difference of the unchanged pixels; a pixel
// changed only beyond this many times it.
constexpr double kNoiseRate = 0.05;
constexpr double kNoiseFactor = 4.0;
}  // namespace

double motionShareThreshold(int sensitivity) {
  int s = std::clamp(sensitivity, 1, 100);
  return 0.001 + 0.03 * (100 - s) / 100.0;
}

MotionDetector::MotionDetector(MotionSettings settings, int width, int height, int pictureWidth,
                               int pictureHeight)
    : settings_(std::move(settings)),
      width_(std::max(1, width)),
      height_(std::max(1, height)),
      threshold_(motionShareThreshold(settings_.sensitivity)),
      mask_(static_cast<std::size_t>(width_) * height_, settings_.zones.empty() ? 1 : 0),
      background_(mask_.size(), 0.0f),
      blurred_(mask_.size(), 0) {
  if (!settings_.zones.empty() && pictureWidth > 0 && pictureHeight > 0) {
    // Zones in picture pixels onto the small grid (a cell is in when its centre is).
    for (const auto& z : settings_.zones) {
      for (int y = 0; y < height_; ++y) {
        double py = (y + 0.5) * pictureHeight / height_;
        if (py < z.y || py >= z.y + z.height) continue;
        for (int x = 0; x < width_; ++x) {
          double px = (x + 0.5) * pictureWidth / width_;
          if (px >= z.x && px < z.x + z.width) mask_[static_cast<std::size_t>(y) * width_ + x] = 1;
        }
      }
    }
  }
  maskCount_ = static_cast<int>(std::count(mask_.begin(), mask_.end(), 1));
}

std::optional<MotionDetector::Transition> MotionDetector::analyse(const std::uint8_t* grey,
                                                                  int stride,
                                                                  std::int64_t timeMs) {
  // A 3x3 box blur: sensor noise of single pixels averages out, edges of real objects stay.
  for (int y = 0; y < height_; ++y) {
    for (int x = 0; x < width_; ++x) {
      int sum = 0;
      int n = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        int yy = y + dy;
        if (yy < 0 || yy >= height_) continue;
        const std::uint8_t* row = grey + static_cast<std::ptrdiff_t>(yy) * stride;
        for (int dx = -1; dx <= 1; ++dx) {
          int xx = x + dx;
          if (xx < 0 || xx >= width_) continue;
          sum += row[xx];
          ++n;
        }
      }
      blurred_[static_cast<std::size_t>(y) * width_ + x] = static_cast<std::uint8_t>(sum / n);
    }
  }
  std::size_t count = blurred_.size();
  if (!haveBackground_) {
    for (std::size_t i = 0; i < count; ++i) background_[i] = blurred_[i];
    previous_ = blurred_;
    haveBackground_ = true;
    lastShare_ = 0;
    return std::nullopt;
  }
  // The frame's overall brightness shift (auto exposure, a cloud): not motion.
  double shift = 0;
  for (std::size_t i = 0; i < count; ++i) shift += blurred_[i] - background_[i];
  shift /= static_cast<double>(count);
  double pixelThreshold = std::max<double>(kPixelThreshold, kNoiseFactor * noise_);
  int changed = 0;
  double quietSum = 0;
  int quietCount = 0;
  for (std::size_t i = 0; i < count; ++i) {
    double diff = std::fabs(blurred_[i] - background_[i] - shift);
    bool isChanged = diff > pixelThreshold;
    if (isChanged) {
      // Moving, not only different: something that stopped (a parked car, a door left open)
      // differs from the background until it is absorbed, but no longer from the last frame.
      if (mask_[i] && std::abs(blurred_[i] - previous_[i]) > pixelThreshold / 2) ++changed;
      background_[i] += kChangedBackgroundRate * (blurred_[i] - background_[i]);
    } else {
      quietSum += diff;
      ++quietCount;
      background_[i] += kBackgroundRate * (blurred_[i] - background_[i]);
    }
  }
  previous_.swap(blurred_);
  if (quietCount > 0) noise_ += kNoiseRate * (quietSum / quietCount - noise_);
  lastShare_ = maskCount_ > 0 ? static_cast<double>(changed) / maskCount_ : 0.0;
  bool moving = lastShare_ >= threshold_;

  if (moving) {
    if (movingRun_++ == 0) runStartMs_ = timeMs;
    lastMovingMs_ = timeMs;
    if (inEvent_) {
      peak_ = std::max(peak_, lastShare_);
    } else if (movingRun_ >= kFramesToStart) {
      inEvent_ = true;
      eventStartMs_ = runStartMs_;
      peak_ = lastShare_;
      return Transition{Transition::Kind::Started, eventStartMs_, 0, peak_};
    }
    return std::nullopt;
  }
  movingRun_ = 0;
  if (inEvent_ && timeMs - lastMovingMs_ >= settings_.quietPeriodMs) return finish();
  return std::nullopt;
}

std::optional<MotionDetector::Transition> MotionDetector::finish() {
  if (!inEvent_) return std::nullopt;
  inEvent_ = false;
  movingRun_ = 0;
  return Transition{Transition::Kind::Ended, eventStartMs_, lastMovingMs_, peak_};
}

}  // namespace seccam::camera
