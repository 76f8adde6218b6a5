// The token bucket behind the per-connection message limit and the camera's pacing.
#include "common/token_bucket.hpp"

#include <gtest/gtest.h>

namespace seccam {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

TEST(TokenBucket, AllowsTheBurstAtOnceThenRefuses) {
  auto t0 = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t0);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(bucket.tryTake(t0)) << i;
  EXPECT_FALSE(bucket.tryTake(t0));
}

TEST(TokenBucket, RefillsAtTheSustainedRate) {
  auto t0 = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t0);
  for (int i = 0; i < 200; ++i) bucket.tryTake(t0);
  auto t1 = t0 + 100ms;  // 5 tokens
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.tryTake(t1)) << i;
  EXPECT_FALSE(bucket.tryTake(t1));
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  auto t0 = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t0);
  auto later = t0 + 1h;
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(bucket.tryTake(later));
  EXPECT_FALSE(bucket.tryTake(later));
}

TEST(TokenBucket, IsFullOnlyAfterRefillingCompletely) {
  auto t0 = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t0);
  EXPECT_TRUE(bucket.isFull(t0));
  bucket.tryTake(t0);
  EXPECT_FALSE(bucket.isFull(t0));
  EXPECT_FALSE(bucket.isFull(t0 + 10ms));
  EXPECT_TRUE(bucket.isFull(t0 + 20ms));
}

TEST(TokenBucket, SteadyTrafficBelowTheRateIsNeverRefused) {
  auto t = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t);
  for (int i = 0; i < 2000; ++i) {
    t += 25ms;  // 40 a second
    ASSERT_TRUE(bucket.tryTake(t)) << i;
  }
}

TEST(TokenBucket, SustainedTrafficAboveTheRateIsRefusedOnceTheBurstIsSpent) {
  auto t = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 200, t);
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    t += 10ms;  // 100 a second for 10 seconds
    if (!bucket.tryTake(t)) ++refused;
  }
  // 1000 sent; 200 burst + 500 refilled pass.
  EXPECT_NEAR(refused, 300, 2);
}

TEST(TokenBucket, SaysHowLongUntilTheNextToken) {
  auto t0 = Clock::time_point{} + 1h;
  TokenBucket bucket(50, 2, t0);
  EXPECT_EQ(bucket.untilToken(t0), Clock::duration::zero());
  ASSERT_TRUE(bucket.tryTake(t0));
  ASSERT_TRUE(bucket.tryTake(t0));
  auto wait = bucket.untilToken(t0);
  // One token every 20 ms: the wait is 20 ms, rounded up, never less.
  EXPECT_GE(wait, 20ms);
  EXPECT_LT(wait, 21ms);
  EXPECT_FALSE(bucket.tryTake(t0 + wait - 1ms));
  EXPECT_TRUE(bucket.tryTake(t0 + wait));
}

}  // namespace
}  // namespace seccam
