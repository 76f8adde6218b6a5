// The motion detector on synthetic grey frames: sensor noise, light changes, a moving block,
// zones and the quiet period.
#include "camera/motion/motion_detector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace seccam::camera {
namespace {

constexpr int kW = 160;
constexpr int kH = 90;
constexpr int kFrameMs = 125;  // 8 analysed frames a second

// A textured still scene with sensor noise, an optional bright block and a brightness offset.
struct Scene {
  std::mt19937 random{7};
  int noise = 12;  // ± levels per pixel
  std::vector<std::uint8_t> frame(int blockX = -1, int blockY = 20, int block = 24,
                                  int brightness = 0) {
    std::vector<std::uint8_t> f(static_cast<std::size_t>(kW) * kH);
    std::uniform_int_distribution<int> n(-noise, noise);
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) {
        int v = 60 + ((x / 10 + y / 10) % 2) * 60 + brightness + n(random);
        if (blockX >= 0 && x >= blockX && x < blockX + block && y >= blockY && y < blockY + block)
          v = 230 + n(random);
        f[static_cast<std::size_t>(y) * kW + x] = static_cast<std::uint8_t>(std::clamp(v, 0, 255));
      }
    return f;
  }
};

MotionSettings settings(int quietMs = 1000) {
  MotionSettings s;
  s.quietPeriodMs = quietMs;
  return s;
}

TEST(MotionDetectorTest, StillNoisyPictureNeverStartsAnEvent) {
  MotionDetector detector(settings(), kW, kH, 1280, 720);
  Scene scene;
  scene.noise = 20;
  for (int i = 0; i < 400; ++i) {
    auto f = scene.frame();
    EXPECT_FALSE(detector.analyse(f.data(), kW, i * kFrameMs)) << "frame " << i;
  }
  EXPECT_LT(detector.lastShare(), motionShareThreshold(50));
}

TEST(MotionDetectorTest, SlowLightChangeIsNotMotion) {
  MotionDetector detector(settings(), kW, kH, 1280, 720);
  Scene scene;
  // Dusk: 80 levels darker over 40 seconds.
  for (int i = 0; i < 320; ++i) {
    auto f = scene.frame(-1, 20, 24, -i / 4);
    EXPECT_FALSE(detector.analyse(f.data(), kW, i * kFrameMs)) << "frame " << i;
  }
}

TEST(MotionDetectorTest, MovingBlockStartsAnEventAndQuietEndsIt) {
  MotionDetector detector(settings(1000), kW, kH, 1280, 720);
  Scene scene;
  std::int64_t t = 0;
  for (int i = 0; i < 20; ++i, t += kFrameMs) {
    auto f = scene.frame();
    ASSERT_FALSE(detector.analyse(f.data(), kW, t));
  }
  std::int64_t motionFrom = t;
  std::optional<MotionDetector::Transition> started;
  int frame = 0;
  for (; frame < 16 && !started; ++frame, t += kFrameMs) {
    auto f = scene.frame(10 + frame * 6);
    started = detector.analyse(f.data(), kW, t);
  }
  ASSERT_TRUE(started);
  EXPECT_EQ(started->kind, MotionDetector::Transition::Kind::Started);
  EXPECT_EQ(started->startMs, motionFrom);
  // Two frames of motion are enough: the event starts on the second.
  EXPECT_EQ(frame, MotionDetector::kFramesToStart);
  for (; frame < 20; ++frame, t += kFrameMs) {
    auto f = scene.frame(10 + frame * 6);
    ASSERT_FALSE(detector.analyse(f.data(), kW, t));
  }
  std::int64_t lastMotion = t - kFrameMs;
  // The block has left; the quiet period runs from the last moving frame.
  std::optional<MotionDetector::Transition> ended;
  for (int i = 0; i < 40 && !ended; ++i, t += kFrameMs) {
    auto f = scene.frame();
    ended = detector.analyse(f.data(), kW, t);
    if (!ended) {
      EXPECT_LT(t - lastMotion, 1000 + kFrameMs);
    }
  }
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->kind, MotionDetector::Transition::Kind::Ended);
  EXPECT_EQ(ended->startMs, motionFrom);
  EXPECT_GE(ended->endMs, lastMotion - kFrameMs);
  EXPECT_GT(ended->score, motionShareThreshold(50));
}

TEST(MotionDetectorTest, OneNoisyFrameDoesNotStartAnEvent) {
  MotionDetector detector(settings(), kW, kH, 1280, 720);
  Scene scene;
  std::int64_t t = 0;
  for (int i = 0; i < 20; ++i, t += kFrameMs) {
    auto f = scene.frame();
    detector.analyse(f.data(), kW, t);
  }
  auto flash = scene.frame(40, 20, 40);
  EXPECT_FALSE(detector.analyse(flash.data(), kW, t));
  for (int i = 0; i < 20; ++i) {
    t += kFrameMs;
    auto f = scene.frame();
    EXPECT_FALSE(detector.analyse(f.data(), kW, t));
  }
}

TEST(MotionDetectorTest, MotionOutsideTheZonesIsIgnored) {
  MotionSettings s = settings();
  s.zones = {{0, 0, 320, 720}};  // the left quarter of a 1280x720 picture
  MotionDetector outside(s, kW, kH, 1280, 720);
  MotionDetector inside(s, kW, kH, 1280, 720);
  Scene a;
  Scene b;
  std::int64_t t = 0;
  for (int i = 0; i < 20; ++i, t += kFrameMs) {
    auto f = a.frame();
    outside.analyse(f.data(), kW, t);
    auto g = b.frame();
    inside.analyse(g.data(), kW, t);
  }
  bool startedOutside = false;
  bool startedInside = false;
  for (int i = 0; i < 10; ++i, t += kFrameMs) {
    auto f = a.frame(100 + i * 4);  // right half only
    if (outside.analyse(f.data(), kW, t)) startedOutside = true;
    auto g = b.frame(2 + i * 3, 20, 16);  // within the zone (x < 40 on the small grid)
    if (inside.analyse(g.data(), kW, t)) startedInside = true;
  }
  EXPECT_FALSE(startedOutside);
  EXPECT_TRUE(startedInside);
}

TEST(MotionDetectorTest, AnObjectThatStopsEndsTheEventAfterTheQuietPeriod) {
  MotionDetector detector(settings(1000), kW, kH, 1280, 720);
  Scene scene;
  std::int64_t t = 0;
  for (int i = 0; i < 20; ++i, t += kFrameMs) {
    auto f = scene.frame();
    detector.analyse(f.data(), kW, t);
  }
  bool started = false;
  for (int i = 0; i < 8; ++i, t += kFrameMs) {
    auto f = scene.frame(10 + i * 8);
    if (detector.analyse(f.data(), kW, t)) started = true;
  }
  ASSERT_TRUE(started);
  // It stays where it stopped: different from the background, but not moving.
  std::optional<MotionDetector::Transition> ended;
  std::int64_t stoppedAt = t;
  for (int i = 0; i < 40 && !ended; ++i, t += kFrameMs) {
    auto f = scene.frame(10 + 8 * 8);
    ended = detector.analyse(f.data(), kW, t);
  }
  ASSERT_TRUE(ended);
  EXPECT_LE(t - stoppedAt, 1000 + 3 * kFrameMs);
}

TEST(MotionDetectorTest, HigherSensitivityNeedsLessChange) {
  EXPECT_LT(motionShareThreshold(90), motionShareThreshold(50));
  EXPECT_LT(motionShareThreshold(50), motionShareThreshold(10));
  EXPECT_GT(motionShareThreshold(100), 0.0);
}

TEST(MotionDetectorTest, FinishEndsARunningEvent) {
  MotionDetector detector(settings(60'000), kW, kH, 1280, 720);
  Scene scene;
  std::int64_t t = 0;
  for (int i = 0; i < 10; ++i, t += kFrameMs) {
    auto f = scene.frame();
    detector.analyse(f.data(), kW, t);
  }
  bool started = false;
  for (int i = 0; i < 4; ++i, t += kFrameMs) {
    auto f = scene.frame(10 + i * 8);
    if (detector.analyse(f.data(), kW, t)) started = true;
  }
  ASSERT_TRUE(started);
  auto ended = detector.finish();
  ASSERT_TRUE(ended);
  EXPECT_EQ(ended->kind, MotionDetector::Transition::Kind::Ended);
  EXPECT_FALSE(detector.finish());
}

}  // namespace
}  // namespace seccam::camera
