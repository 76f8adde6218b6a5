#include "server/auth/attempt_throttle.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::auth;
using namespace std::chrono_literals;

namespace {
const auto kStart = AttemptThrottle::Clock::time_point{} + 100000s;
}

// Issue 11, M2: five wrong passwords for an account from anywhere used to lock its owner out
// for fifteen minutes, renewable forever.
TEST(AttemptThrottle, FailuresFromElsewhereDoNotStopTheOwnersAddress) {
  AttemptThrottle throttle({});
  throttle.succeeded("bob", "198.51.100.9", kStart);  // Bob's own address
  for (int i = 0; i < 5; ++i) throttle.failed("bob", "203.0.113.7", kStart);
  EXPECT_GT(throttle.wait("bob", "203.0.113.7", kStart), 0s);  // the attacker's pair waits
  EXPECT_EQ(throttle.wait("bob", "198.51.100.9", kStart), 0s);
  EXPECT_EQ(throttle.wait("bob", "192.0.2.1", kStart), 0s);  // below the pacing threshold
}

TEST(AttemptThrottle, APairWaitsAfterItsOwnFailures) {
  AttemptThrottle throttle({});
  for (int i = 0; i < 4; ++i) throttle.failed("ann", "192.0.2.1", kStart);
  EXPECT_EQ(throttle.wait("ann", "192.0.2.1", kStart), 0s);
  throttle.failed("ann", "192.0.2.1", kStart);
  EXPECT_EQ(throttle.wait("ann", "192.0.2.1", kStart), 900s);
  EXPECT_EQ(throttle.wait("ann", "192.0.2.1", kStart + 900s), 0s);  // the window passed
}

TEST(AttemptThrottle, AnAddressSprayingAccountsWaits) {
  AttemptThrottle throttle({});
  for (int i = 0; i < 50; ++i) throttle.failed("user" + std::to_string(i), "203.0.113.7", kStart);
  EXPECT_GT(throttle.wait("someone-else", "203.0.113.7", kStart), 0s);
  EXPECT_GT(throttle.wait(std::nullopt, "203.0.113.7", kStart), 0s);
  EXPECT_EQ(throttle.wait("someone-else", "198.51.100.9", kStart), 0s);
}

TEST(AttemptThrottle, ManyAddressesOnOneAccountArePacedNotRefused) {
  AttemptThrottle::Limits limits;
  AttemptThrottle throttle(limits);
  throttle.succeeded("bob", "198.51.100.9", kStart);
  // A botnet: one failure from each of many addresses.
  auto t = kStart;
  for (int i = 0; i < 10; ++i) throttle.failed("bob", "203.0.113." + std::to_string(i), t);
  // A new address now waits for the spacing after the newest failure...
  EXPECT_EQ(throttle.wait("bob", "192.0.2.1", t), limits.pacingStep);
  EXPECT_EQ(throttle.wait("bob", "192.0.2.1", t + limits.pacingStep), 0s);
  // ...which doubles with each further failure, up to the maximum...
  for (int i = 10; i < 30; ++i) throttle.failed("bob", "203.0.113." + std::to_string(i), t);
  EXPECT_EQ(throttle.wait("bob", "192.0.2.1", t), limits.pacingMax);
  EXPECT_EQ(throttle.wait("bob", "192.0.2.1", t + limits.pacingMax), 0s);
  // ...and Bob's own address is never paced.
  EXPECT_EQ(throttle.wait("bob", "198.51.100.9", t), 0s);
}

TEST(AttemptThrottle, ASuccessForgivesThePairAndMakesTheAddressKnown) {
  AttemptThrottle throttle({});
  for (int i = 0; i < 5; ++i) throttle.failed("ann", "192.0.2.1", kStart);
  throttle.succeeded("ann", "192.0.2.1", kStart);
  EXPECT_EQ(throttle.wait("ann", "192.0.2.1", kStart), 0s);
  for (int i = 0; i < 20; ++i) throttle.failed("ann", "203.0.113." + std::to_string(i), kStart);
  EXPECT_EQ(throttle.wait("ann", "192.0.2.1", kStart), 0s);
  EXPECT_GT(throttle.wait("ann", "192.0.2.99", kStart), 0s);
}

TEST(AttemptThrottle, AccountNamesCannotBeMadeToLookLikeAnotherPair) {
  AttemptThrottle throttle({});
  for (int i = 0; i < 5; ++i) throttle.failed("bob@1", "2", kStart);
  EXPECT_EQ(throttle.wait("bob", "1@2", kStart), 0s);
}
