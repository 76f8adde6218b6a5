// The retransmission filter and probe copies (docs/CONGESTION.md), fed with synthetic packets.
#include "camera/session/sent_history.hpp"

#include <gtest/gtest.h>

namespace seccam::camera {
namespace {

using namespace std::chrono_literals;
using Clock = SentHistory::Clock;

class SentHistoryTest : public ::testing::Test {
 protected:
  // `count` packets of `bytes`, one every `every`, from sequence number `next_`.
  void send(int count, std::uint32_t bytes = 1000, Clock::duration every = 5ms) {
    for (int i = 0; i < count; ++i) {
      now_ += every;
      history_.noteSent({next_++, bytes, now_});
    }
  }
  SentHistory history_;
  Clock::time_point now_ = Clock::time_point{} + 1h;
  std::uint16_t next_ = 65000;  // wraps within the tests
};

TEST_F(SentHistoryTest, PacketsOfAnEarlierRenditionAreNotSentAgain) {
  send(100);
  std::uint16_t oldPacket = static_cast<std::uint16_t>(next_ - 10);
  history_.markRenditionStart();
  std::uint16_t first = next_;
  send(50);  // across the wrap of the 16-bit sequence number
  EXPECT_FALSE(history_.allowRetransmission(oldPacket, now_));
  EXPECT_TRUE(history_.allowRetransmission(first, now_));
  EXPECT_TRUE(history_.allowRetransmission(static_cast<std::uint16_t>(first + 40), now_));
}

TEST_F(SentHistoryTest, TheRenditionStartIsForgottenLongAfter) {
  history_.markRenditionStart();
  std::uint16_t first = next_;
  send(1);
  send(SentHistory::kRenditionStartMemory + 10, 100, 1ms);
  // Half the circle later, "before the start" would be true of packets sent just now.
  send(30000, 100, 1ms);
  EXPECT_TRUE(history_.allowRetransmission(static_cast<std::uint16_t>(next_ - 5), now_));
  EXPECT_TRUE(history_.allowRetransmission(static_cast<std::uint16_t>(first - 1), now_ + 1s));
}

TEST_F(SentHistoryTest, RetransmissionsStayWithinHalfTheRenditionsBitrate) {
  history_.setRenditionBitrate(800, now_);  // 100 kB/s: 50 kB/s of retransmissions
  send(200);                                // 1 s of 1000-byte packets
  // A viewer that lost everything asks for all of it at once: the burst allows 10 kB...
  int allowed = 0;
  for (int i = 1; i <= 200; ++i) {
    if (history_.allowRetransmission(static_cast<std::uint16_t>(next_ - i), now_)) ++allowed;
  }
  EXPECT_EQ(allowed, 10);
  // ...and then 50 kB a second.
  allowed = 0;
  for (int step = 0; step < 100; ++step) {
    now_ += 10ms;
    for (int i = 1; i <= 200; ++i) {
      if (history_.allowRetransmission(static_cast<std::uint16_t>(next_ - i), now_)) ++allowed;
    }
  }
  EXPECT_NEAR(allowed, 50, 2);
}

TEST_F(SentHistoryTest, AFewLossesAreAllAnswered) {
  history_.setRenditionBitrate(2000, now_);
  for (int second = 0; second < 5; ++second) {
    send(200, 1200);
    // 2 % of them
    for (int i = 0; i < 4; ++i) {
      EXPECT_TRUE(
          history_.allowRetransmission(static_cast<std::uint16_t>(next_ - 1 - 50 * i), now_));
    }
  }
}

TEST_F(SentHistoryTest, ProbeCopiesAreOfOlderPacketsAsManyAsTheCreditPays) {
  send(100, 1000, 5ms);  // the newest 30 are less than 150 ms old
  double credit = 5500;
  auto copies = history_.probeCopies(credit, now_, 150ms, 90);
  ASSERT_EQ(copies.size(), 5u);
  EXPECT_EQ(copies.front(), static_cast<std::uint16_t>(next_ - 1 - 30));
  EXPECT_EQ(copies.back(), static_cast<std::uint16_t>(next_ - 1 - 34));
  EXPECT_DOUBLE_EQ(credit, 500);
  // Never deeper than asked.
  double plenty = 1e9;
  EXPECT_EQ(history_.probeCopies(plenty, now_, 150ms, 90).size(), 60u);
}

TEST_F(SentHistoryTest, BytesSinceCountsTheRecentPackets) {
  send(100, 1000, 10ms);
  EXPECT_DOUBLE_EQ(history_.bytesSince(now_ - 495ms), 50000);
}

}  // namespace
}  // namespace seccam::camera
