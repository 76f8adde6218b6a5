// Limiting the viewers' key-frame requests to the shared encoder.
#include "camera/pipeline/key_frame_limiter.hpp"

#include <gtest/gtest.h>

using namespace seccam::camera;
using namespace std::chrono_literals;
using Verdict = KeyFrameLimiter::Verdict;

namespace {
const KeyFrameLimiter::Clock::time_point kStart{100s};
}

TEST(KeyFrameLimiter, FirstRequestGoesThrough) {
  KeyFrameLimiter limiter(1s);
  EXPECT_EQ(limiter.request(kStart), Verdict::Forward);
}

TEST(KeyFrameLimiter, AFloodWithinTheIntervalForcesOneKeyFrame) {
  KeyFrameLimiter limiter(1s);
  ASSERT_EQ(limiter.request(kStart), Verdict::Forward);
  for (int i = 1; i < 10; ++i) EXPECT_EQ(limiter.request(kStart + i * 100ms), Verdict::Drop);
  EXPECT_EQ(limiter.request(kStart + 1s), Verdict::Forward);
  EXPECT_EQ(limiter.request(kStart + 1s + 999ms), Verdict::Drop);
  EXPECT_EQ(limiter.request(kStart + 2s), Verdict::Forward);
}

TEST(KeyFrameLimiter, DroppedRequestsDoNotPushTheNextOneBack) {
  KeyFrameLimiter limiter(1s);
  ASSERT_EQ(limiter.request(kStart), Verdict::Forward);
  ASSERT_EQ(limiter.request(kStart + 900ms), Verdict::Drop);
  // Measured from the last key frame forced, not from the last request.
  EXPECT_EQ(limiter.request(kStart + 1s), Verdict::Forward);
}

TEST(KeyFrameLimiter, AJoiningViewersKeyFrameCountsAsTheLast) {
  KeyFrameLimiter limiter(1s);
  limiter.forced(kStart);
  EXPECT_EQ(limiter.request(kStart + 100ms), Verdict::Drop);
  EXPECT_EQ(limiter.request(kStart + 1s), Verdict::Forward);
  // Forced again regardless of the interval.
  limiter.forced(kStart + 1s + 100ms);
  EXPECT_EQ(limiter.request(kStart + 2s), Verdict::Drop);
}

TEST(KeyFrameLimiter, RequestsFartherApartThanTheIntervalAllGoThrough) {
  KeyFrameLimiter limiter(1s);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.request(kStart + i * 1s), Verdict::Forward);
}
