// The test source's scripted scene: a bright block that moves during the "move" periods of a
// repeating schedule and stands still otherwise, and sensor-like noise on every pixel, painted
// into each frame's luma plane. It gives the demo camera an event now and then and the tests
// motion (and noisy stillness) on a timetable. Plain C++, no GStreamer.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::camera {

struct TestSceneSettings {
  std::string motion = "still:20,move:5";  // repeats; "" or "none": always still
  int noise = 0;                           // ± luma levels of noise per pixel
  // Pixels a frame the whole pattern scrolls by (0: still): the pattern the benchmarks used
  // before motion detection, so that their figures stay comparable (motion all the time).
  int scroll = 0;
};

struct ScenePeriod {
  bool moving = false;
  int ms = 0;
};

// "still:3,move:2,still:5" (seconds, fractions allowed) into periods; "" and "none" give none.
// Throws std::invalid_argument naming the accepted form.
std::vector<ScenePeriod> parseMotionSchedule(std::string_view text);

class TestScene {
 public:
  TestScene(TestSceneSettings settings, int width, int height);

  // Whether the schedule has the block moving `sinceStartMs` after the scene started.
  bool movingAt(std::int64_t sinceStartMs) const;
  // Paints the block at its place for `sinceStartMs` and adds the noise (8-bit luma plane).
  void paint(std::uint8_t* luma, int stride, std::int64_t sinceStartMs);

 private:
  // Milliseconds of movement before `sinceStartMs`: the block's position follows from it.
  std::int64_t movedMs(std::int64_t sinceStartMs) const;

  std::vector<ScenePeriod> periods_;
  std::int64_t cycleMs_ = 0;
  int noise_;
  int width_;
  int height_;
  std::vector<std::int8_t> noiseTable_;  // more than a frame, read from a random offset
  std::minstd_rand random_{12345};
};

}  // namespace seccam::camera
