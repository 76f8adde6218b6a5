// Receiver report blocks read out of real RTCP packets, built with GStreamer's RTCP writer.
#include "camera/peer/rtcp_feedback.hpp"

#include <gst/gst.h>
#include <gst/rtp/gstrtcpbuffer.h>
#include <gtest/gtest.h>

#include <vector>

namespace seccam::camera {
namespace {

using namespace std::chrono_literals;

struct Block {
  guint32 ssrc;
  gint32 lost;
  guint32 highest;
  guint32 lsr;
  guint32 dlsr;
};

// An RTCP compound packet: one RR carrying `blocks`, then an SDES like browsers send.
GstBuffer* receiverReport(const std::vector<Block>& blocks) {
  GstBuffer* buffer = gst_rtcp_buffer_new(1400);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  gst_rtcp_buffer_map(buffer, GST_MAP_READWRITE, &rtcp);
  GstRTCPPacket packet;
  gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_RR, &packet);
  gst_rtcp_packet_rr_set_ssrc(&packet, 0x1234);
  for (const auto& b : blocks)
    gst_rtcp_packet_add_rb(&packet, b.ssrc, 10, b.lost, b.highest, 7, b.lsr, b.dlsr);
  gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_SDES, &packet);
  gst_rtcp_packet_sdes_add_item(&packet, 0x1234);
  gst_rtcp_packet_sdes_add_entry(&packet, GST_RTCP_SDES_CNAME, 4,
                                 reinterpret_cast<const guint8*>("peer"));
  gst_rtcp_buffer_unmap(&rtcp);
  return buffer;
}

class RtcpFeedbackTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
  std::chrono::steady_clock::time_point arrived_ = std::chrono::steady_clock::time_point{} + 5s;
  std::int64_t nowMicros_ = 1'790'000'000'000'000;  // a wall-clock time in 2026
};

TEST_F(RtcpFeedbackTest, TheBlockAboutOurSsrcIsFoundAmongOthers) {
  std::uint32_t lsr = ntpMiddle32(nowMicros_ - 150'000);  // our SR left 150 ms ago...
  std::uint32_t dlsr = 100u << 16 >> 10;                  // ...and sat ~97.7 ms at the peer
  GstBuffer* buffer =
      receiverReport({{0xaaaa, 99, 1, 0, 0}, {0xbeef, 17, 70000, lsr, dlsr}});
  auto report = receiverReportFor(buffer, 0xbeef, arrived_, nowMicros_);
  gst_buffer_unref(buffer);
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->at, arrived_);
  EXPECT_EQ(report->cumulativeLost, 17);
  EXPECT_EQ(report->extendedHighestSeq, 70000u);
  ASSERT_TRUE(report->roundTrip.has_value());
  // 150 ms since our SR, less the peer's ~97.7 ms hold: ~52 ms (1/65536 s rounding).
  EXPECT_NEAR(static_cast<double>(report->roundTrip->count()), 52.0, 2.0);
}

TEST_F(RtcpFeedbackTest, NoRoundTripWithoutAnSenderReportToReferTo) {
  GstBuffer* buffer = receiverReport({{0xbeef, 0, 500, 0, 0}});
  auto report = receiverReportFor(buffer, 0xbeef, arrived_, nowMicros_);
  gst_buffer_unref(buffer);
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->roundTrip.has_value());
}

TEST_F(RtcpFeedbackTest, AReportAboutSomeoneElseIsNotOurs) {
  GstBuffer* buffer = receiverReport({{0xaaaa, 3, 500, 0, 0}});
  EXPECT_FALSE(receiverReportFor(buffer, 0xbeef, arrived_, nowMicros_).has_value());
  gst_buffer_unref(buffer);
}

TEST_F(RtcpFeedbackTest, GarbageIsNoReport) {
  const guint8 junk[] = {0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0xbe, 0xef, 0x01};
  GstBuffer* buffer = gst_buffer_new_memdup(junk, sizeof junk);
  EXPECT_FALSE(receiverReportFor(buffer, 0xbeef, arrived_, nowMicros_).has_value());
  gst_buffer_unref(buffer);
  EXPECT_FALSE(receiverReportFor(nullptr, 0xbeef, arrived_, nowMicros_).has_value());
}

// A generic NACK about `ssrc` with the given (PID, BLP) words.
GstBuffer* nack(guint32 ssrc, const std::vector<std::pair<guint16, guint16>>& words) {
  GstBuffer* buffer = gst_rtcp_buffer_new(1400);
  GstRTCPBuffer rtcp = GST_RTCP_BUFFER_INIT;
  gst_rtcp_buffer_map(buffer, GST_MAP_READWRITE, &rtcp);
  GstRTCPPacket packet;
  gst_rtcp_buffer_add_packet(&rtcp, GST_RTCP_TYPE_RTPFB, &packet);
  gst_rtcp_packet_fb_set_type(&packet, GST_RTCP_RTPFB_TYPE_NACK);
  gst_rtcp_packet_fb_set_sender_ssrc(&packet, 0x1234);
  gst_rtcp_packet_fb_set_media_ssrc(&packet, ssrc);
  gst_rtcp_packet_fb_set_fci_length(&packet, static_cast<guint16>(words.size()));
  guint8* fci = gst_rtcp_packet_fb_get_fci(&packet);
  for (std::size_t i = 0; i < words.size(); ++i) {
    fci[4 * i] = static_cast<guint8>(words[i].first >> 8);
    fci[4 * i + 1] = static_cast<guint8>(words[i].first);
    fci[4 * i + 2] = static_cast<guint8>(words[i].second >> 8);
    fci[4 * i + 3] = static_cast<guint8>(words[i].second);
  }
  gst_rtcp_buffer_unmap(&rtcp);
  return buffer;
}

TEST_F(RtcpFeedbackTest, ANackCountsItsPacketAndEveryBitOfItsMask) {
  // 1 + 3 bits, then 1 + 0 bits: 5 packets asked for again.
  GstBuffer* buffer = nack(0xbeef, {{100, 0b1000'0000'0000'0101}, {300, 0}});
  EXPECT_EQ(nackedPacketsFor(buffer, 0xbeef), 5);
  EXPECT_EQ(nackedPacketsFor(buffer, 0xaaaa), 0) << "about another stream";
  EXPECT_FALSE(receiverReportFor(buffer, 0xbeef, arrived_, nowMicros_).has_value());
  gst_buffer_unref(buffer);
}

TEST(NtpTime, TheMiddleBitsAreSecondsAndFractionOfTheNtpEra) {
  // 1970-01-01T00:00:00.5Z is NTP second 2208988800 and half a second.
  std::uint32_t middle = ntpMiddle32(500'000);
  EXPECT_EQ(middle >> 16, 2208988800u & 0xffffu);
  EXPECT_EQ(middle & 0xffffu, 0x8000u);
}

}  // namespace
}  // namespace seccam::camera
