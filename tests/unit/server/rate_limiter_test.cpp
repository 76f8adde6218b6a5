#include "server/auth/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::auth;
using namespace std::chrono_literals;

TEST(RateLimiter, AllowsUntilTheLimitThenRefuses) {
  RateLimiter limiter(5, 900s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  for (int i = 0; i < 4; ++i) {
    limiter.recordFailure("ann", t);
    EXPECT_FALSE(limiter.retryAfter("ann", t)) << i;
  }
  limiter.recordFailure("ann", t);
  auto wait = limiter.retryAfter("ann", t);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 900s);
}

TEST(RateLimiter, RetryAfterCountsDownToTheOldestFailureLeavingTheWindow) {
  RateLimiter limiter(2, 60s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  limiter.recordFailure("k", t);
  limiter.recordFailure("k", t + 10s);
  EXPECT_EQ(*limiter.retryAfter("k", t + 20s), 40s);
  EXPECT_FALSE(limiter.retryAfter("k", t + 60s));  // the first one has left the window
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(1, 60s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  limiter.recordFailure("ann", t);
  EXPECT_TRUE(limiter.retryAfter("ann", t));
  EXPECT_FALSE(limiter.retryAfter("bob", t));
}

TEST(RateLimiter, ResetForgivesEarlierFailures) {
  RateLimiter limiter(2, 60s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  limiter.recordFailure("ann", t);
  limiter.recordFailure("ann", t);
  ASSERT_TRUE(limiter.retryAfter("ann", t));
  limiter.reset("ann");
  EXPECT_FALSE(limiter.retryAfter("ann", t));
}

TEST(RateLimiter, WaitIsNeverLessThanOneSecond) {
  RateLimiter limiter(1, 60s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  limiter.recordFailure("k", t);
  EXPECT_EQ(*limiter.retryAfter("k", t + 59s + 900ms), 1s);
}

TEST(RateLimiter, WhenFullTheKeyThatFailedLongestAgoGoesNotEveryone) {
  // Room for four keys: an attacker spraying new keys evicts one key at a time, the one whose
  // last failure is oldest; a victim locked out a moment ago stays locked out.
  RateLimiter limiter(2, 900s, 4);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  limiter.recordFailure("spray-1", t);
  limiter.recordFailure("spray-2", t + 1s);
  limiter.recordFailure("victim", t + 2s);
  limiter.recordFailure("victim", t + 3s);
  ASSERT_TRUE(limiter.retryAfter("victim", t + 3s));
  limiter.recordFailure("spray-3", t + 4s);
  limiter.recordFailure("spray-4", t + 5s);  // full: spray-1 goes
  limiter.recordFailure("spray-5", t + 6s);  // and then spray-2
  EXPECT_EQ(limiter.trackedKeys(), 4u);
  EXPECT_TRUE(limiter.retryAfter("victim", t + 6s));
}

TEST(RateLimiter, AVeryLongKeyIsKeptAsOneKeyAndToldApartByItsLastCharacter) {
  RateLimiter limiter(1, 60s);
  auto t = RateLimiter::Clock::time_point{} + 1000s;
  std::string longName(16 * 1024, 'a');
  limiter.recordFailure(longName, t);
  EXPECT_TRUE(limiter.retryAfter(longName, t));
  // Differs only in its last character: another key.
  EXPECT_FALSE(limiter.retryAfter(longName.substr(0, longName.size() - 1) + "b", t));
  EXPECT_EQ(limiter.trackedKeys(), 1u);
}
