// Reconnect delays: fast first retry, growing, capped, jittered, reset after success.
#include "camera/reconnect_backoff.hpp"

#include <gtest/gtest.h>

using namespace seccam::camera;
using std::chrono::milliseconds;

TEST(ReconnectBackoff, StartsFastGrowsAndCaps) {
  ReconnectBackoff backoff(42);
  auto first = backoff.next();
  EXPECT_LE(first, kFirstReconnectDelay);
  EXPECT_GE(first, milliseconds(static_cast<long long>(kFirstReconnectDelay.count() *
                                                       (1 - kReconnectJitter))));
  auto second = backoff.next();
  EXPECT_GT(second, milliseconds(kFirstReconnectDelay.count() * 2 * 6 / 10));
  for (int i = 0; i < 40; ++i) EXPECT_LE(backoff.next(), kMaxReconnectDelay);
  EXPECT_GE(backoff.next(), milliseconds(static_cast<long long>(kMaxReconnectDelay.count() *
                                                                (1 - kReconnectJitter))));
}

TEST(ReconnectBackoff, ResetStartsOverFast) {
  ReconnectBackoff backoff(7);
  for (int i = 0; i < 10; ++i) backoff.next();
  backoff.reset();
  EXPECT_LE(backoff.next(), kFirstReconnectDelay);
}

TEST(ReconnectBackoff, JitterSpreadsDelays) {
  ReconnectBackoff a(1), b(2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= a.next() != b.next();
  EXPECT_TRUE(differ);
}
