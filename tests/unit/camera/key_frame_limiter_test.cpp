// Coalescing the viewers' key-frame requests to the shared encoder.
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

TEST(KeyFrameLimiter, RequestsWithinTheIntervalBecomeOneDeferredKeyFrame) {
  KeyFrameLimiter limiter(1s);
  ASSERT_EQ(limiter.request(kStart), Verdict::Forward);
  EXPECT_EQ(limiter.request(kStart + 100ms), Verdict::Defer);
  EXPECT_EQ(limiter.deferredUntil(), kStart + 1s);
  // A flood from lossy viewers adds nothing more.
  for (int i = 2; i < 10; ++i) EXPECT_EQ(limiter.request(kStart + i * 100ms), Verdict::Drop);
  // The deferred request is sent at the end of the interval and goes through.
  EXPECT_TRUE(limiter.takeDeferred());
  EXPECT_EQ(limiter.request(kStart + 1s), Verdict::Forward);
  EXPECT_EQ(limiter.request(kStart + 1s + 10ms), Verdict::Defer);
  EXPECT_EQ(limiter.deferredUntil(), kStart + 2s);
}

TEST(KeyFrameLimiter, ARequestAfterTheIntervalServesTheDeferredOne) {
  KeyFrameLimiter limiter(1s);
  ASSERT_EQ(limiter.request(kStart), Verdict::Forward);
  ASSERT_EQ(limiter.request(kStart + 500ms), Verdict::Defer);
  // Another request arrives (and goes through) before the deferred one is sent.
  EXPECT_EQ(limiter.request(kStart + 1s), Verdict::Forward);
  EXPECT_FALSE(limiter.takeDeferred());
}

TEST(KeyFrameLimiter, RequestsFartherApartThanTheIntervalAllGoThrough) {
  KeyFrameLimiter limiter(1s);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.request(kStart + i * 1s), Verdict::Forward);
  EXPECT_FALSE(limiter.takeDeferred());
}
