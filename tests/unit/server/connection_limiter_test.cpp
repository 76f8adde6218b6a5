#include "server/net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

using namespace seccam::server;
using Admission = ConnectionLimiter::Admission;

namespace {
ConnectionLimiter::Limits limits(std::size_t total, std::size_t perAddress, std::size_t reserve,
                                 std::size_t reservePerAddress) {
  return {total, perAddress, reserve, reservePerAddress};
}
}  // namespace

TEST(ConnectionLimiter, AnAddressPastItsShareGetsAReserveSlotThenNothing) {
  ConnectionLimiter limiter(limits(100, 2, 10, 1));
  std::vector<ConnectionLimiter::Slot> held;
  for (int i = 0; i < 2; ++i) {
    auto ticket = limiter.admit("203.0.113.7");
    EXPECT_EQ(ticket.admission, Admission::admitted);
    held.push_back(std::move(ticket.slot));
  }
  auto over = limiter.admit("203.0.113.7");
  EXPECT_EQ(over.admission, Admission::overAddressCap);
  EXPECT_EQ(limiter.admit("203.0.113.7").admission, Admission::refused);
  // Someone else is unaffected.
  EXPECT_EQ(limiter.admit("198.51.100.1").admission, Admission::admitted);
  EXPECT_EQ(limiter.open(), 3u);  // the last ticket above was dropped at once
}

TEST(ConnectionLimiter, ReleasingAPlaceLetsTheNextOneIn) {
  ConnectionLimiter limiter(limits(100, 1, 0, 0));
  auto first = limiter.admit("a");
  EXPECT_EQ(limiter.admit("a").admission, Admission::refused);
  first.slot.release();
  EXPECT_EQ(limiter.admit("a").admission, Admission::admitted);
}

TEST(ConnectionLimiter, AFullServerUsesTheReserveWhateverTheAddress) {
  ConnectionLimiter limiter(limits(2, 0, 2, 1));
  auto a = limiter.admit("a");
  auto b = limiter.admit("b");
  auto c = limiter.admit("c");
  EXPECT_EQ(c.admission, Admission::overTotalCap);
  EXPECT_EQ(limiter.admit("c").admission, Admission::refused);  // c's reserve share is used
  auto d = limiter.admit("d");
  EXPECT_EQ(d.admission, Admission::overTotalCap);
  EXPECT_EQ(limiter.admit("e").admission, Admission::refused);  // the reserve is full
}

TEST(ConnectionLimiter, AProxyIsExemptFromThePerAddressCapOnly) {
  ConnectionLimiter limiter(limits(3, 1, 0, 0));
  std::vector<ConnectionLimiter::Slot> held;
  for (int i = 0; i < 3; ++i) {
    auto ticket = limiter.admit("127.0.0.1", true);
    EXPECT_EQ(ticket.admission, Admission::admitted) << i;
    held.push_back(std::move(ticket.slot));
  }
  EXPECT_EQ(limiter.admit("127.0.0.1", true).admission, Admission::refused);
}

TEST(ConnectionLimiter, ASlotMayOutliveItsLimiter) {
  std::optional<ConnectionLimiter::Slot> slot;
  {
    ConnectionLimiter limiter(limits(1, 1, 0, 0));
    slot = limiter.admit("a").slot;
  }
  slot.reset();  // no crash, nothing left dangling (ASan builds check)
}
