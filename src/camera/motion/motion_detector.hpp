// Motion detection on a small grey copy of the picture (160x90 for 16:9), as plain C++ with no
// GStreamer: each analysed frame is blurred, compared with a background that slowly follows
// the scene (a running average) and with the previous frame, and the share of pixels that
// differ from both by more than the noise floor (moving pixels), inside the zones, is
// compared with the sensitivity. An event starts after
// `kFramesToStart` moving frames in a row and ends once nothing has moved for the quiet period.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace seccam::camera {

// A rectangle in the captured picture's coordinates (pixels).
struct MotionZone {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct MotionSettings {
  bool enabled = true;
  int sensitivity = 50;  // 1-100: higher reacts to smaller moving areas
  std::vector<MotionZone> zones;  // empty: the whole picture
  int quietPeriodMs = 10'000;     // no motion this long: the event ends
};

// The share of analysed pixels that must change for a frame to count as moving.
double motionShareThreshold(int sensitivity);

class MotionDetector {
 public:
  // Moving frames in a row before an event starts: one frame of sensor noise never does.
  static constexpr int kFramesToStart = 2;
  // A pixel changed when its blurred grey level differs from the background by this much
  // plus the frame's global brightness shift (0-255 levels).
  static constexpr int kPixelThreshold = 20;

  struct Transition {
    enum class Kind { Started, Ended } kind;
    std::int64_t startMs = 0;  // the first moving frame of the event
    std::int64_t endMs = 0;    // Ended: the last moving frame
    double score = 0;          // the largest share of changed pixels seen in the event (0-1)
  };

  // `width` x `height`: the analysed (small) picture; `pictureWidth` x `pictureHeight`: the
  // captured picture the zones are given in.
  MotionDetector(MotionSettings settings, int width, int height, int pictureWidth,
                 int pictureHeight);

  // One analysed frame (8-bit grey, `stride` bytes a row) taken at `timeMs` (any monotonic
  // milliseconds). Returns a transition when an event starts or ends with this frame.
  std::optional<Transition> analyse(const std::uint8_t* grey, int stride, std::int64_t timeMs);
  // Ends a running event now (the source went away, shutdown).
  std::optional<Transition> finish();

  double lastShare() const { return lastShare_; }
  bool inEvent() const { return inEvent_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  MotionSettings settings_;
  int width_;
  int height_;
  double threshold_;
  std::vector<std::uint8_t> mask_;  // 1 where the zones cover the picture
  int maskCount_ = 0;
  std::vector<float> background_;
  std::vector<std::uint8_t> blurred_;
  std::vector<std::uint8_t> previous_;  // the last analysed frame, blurred
  bool haveBackground_ = false;
  double noise_ = 0;  // mean absolute difference of unchanged pixels
  double lastShare_ = 0;
  int movingRun_ = 0;
  std::int64_t runStartMs_ = 0;
  bool inEvent_ = false;
  std::int64_t eventStartMs_ = 0;
  std::int64_t lastMovingMs_ = 0;
  double peak_ = 0;
};

}  // namespace seccam::camera
