// Receiver report blocks out of RTCP: see rtcp_feedback.hpp.
#include "camera/peer/rtcp_feedback.hpp"

#include <gst/rtp/gstrtcpbuffer.h>

#include <bit>

namespace seccam::camera {

namespace {
// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
constexpr std::uint64_t kNtpToUnixSeconds = 2208988800ULL;
// A round trip longer than this is a clock or a packet that makes no sense, not a network.
constexpr std::uint32_t kMaxRoundTripUnits = 60u << 16;  // 60 s in 1/65536 s
}  // namespace

std::uint32_t ntpMiddle32(std::int64_t unixMicros) {
  std::uint64_t seconds = static_cast<std::uint64_t>(unixMicros / 1000000) + kNtpToUnixSeconds;
  std::uint64_t micros = static_cast<std::uint64_t>(unixMicros % 1000000);
  std::uint64_t fraction16 = (micros << 16) / 1000000;  // the top 16 bits of the fraction
  return static_cast<std::uint32_t>(((seconds & 0xffff) << 16) | (fraction16 & 0xffff));
}

std::optional<ReceiverReport> receiverReportFor(GstBuffer* rtcp, std::uint32_t ssrc,
                                                std::chrono::steady_clock::time_point arrived,
                                                std::int64_t arrivedUnixMicros) {
  if (!rtcp || !gst_rtcp_buffer_validate_reduced(rtcp)) return std::nullopt;
  GstRTCPBuffer buffer = GST_RTCP_BUFFER_INIT;
  if (!gst_rtcp_buffer_map(rtcp, GST_MAP_READ, &buffer)) return std::nullopt;
  std::optional<ReceiverReport> found;
  GstRTCPPacket packet;
  for (gboolean more = gst_rtcp_buffer_get_first_packet(&buffer, &packet); more && !found;
       more = gst_rtcp_packet_move_to_next(&packet)) {
    GstRTCPType type = gst_rtcp_packet_get_type(&packet);
    if (type != GST_RTCP_TYPE_RR && type != GST_RTCP_TYPE_SR) continue;
    for (guint i = 0; i < gst_rtcp_packet_get_rb_count(&packet); ++i) {
      guint32 blockSsrc = 0, highest = 0, jitter = 0, lsr = 0, dlsr = 0;
      guint8 fractionLost = 0;
      gint32 lost = 0;
      gst_rtcp_packet_get_rb(&packet, i, &blockSsrc, &fractionLost, &lost, &highest, &jitter, &lsr,
                             &dlsr);
      if (blockSsrc != ssrc) continue;
      ReceiverReport report;
      report.at = arrived;
      report.extendedHighestSeq = highest;
      report.cumulativeLost = lost;
      if (lsr != 0) {
        // RTT = A - LSR - DLSR, in 1/65536 s, modulo 2^32 (RFC 3550 §6.4.1).
        std::uint32_t units = ntpMiddle32(arrivedUnixMicros) - lsr - dlsr;
        if (units < kMaxRoundTripUnits)
          report.roundTrip = std::chrono::milliseconds((std::uint64_t{units} * 1000) >> 16);
      }
      found = report;
      break;
    }
  }
  gst_rtcp_buffer_unmap(&buffer);
  return found;
}

int nackedPacketsFor(GstBuffer* rtcp, std::uint32_t ssrc) {
  if (!rtcp || !gst_rtcp_buffer_validate_reduced(rtcp)) return 0;
  GstRTCPBuffer buffer = GST_RTCP_BUFFER_INIT;
  if (!gst_rtcp_buffer_map(rtcp, GST_MAP_READ, &buffer)) return 0;
  int packets = 0;
  GstRTCPPacket packet;
  for (gboolean more = gst_rtcp_buffer_get_first_packet(&buffer, &packet); more;
       more = gst_rtcp_packet_move_to_next(&packet)) {
    if (gst_rtcp_packet_get_type(&packet) != GST_RTCP_TYPE_RTPFB ||
        gst_rtcp_packet_fb_get_type(&packet) != GST_RTCP_RTPFB_TYPE_NACK ||
        gst_rtcp_packet_fb_get_media_ssrc(&packet) != ssrc)
      continue;
    const guint8* fci = gst_rtcp_packet_fb_get_fci(&packet);
    guint words = gst_rtcp_packet_fb_get_fci_length(&packet);
    for (guint i = 0; fci && i < words; ++i) {
      // PID (16 bits), then a bitmask of the 16 packets after it (BLP).
      std::uint16_t blp = static_cast<std::uint16_t>((fci[4 * i + 2] << 8) | fci[4 * i + 3]);
      packets += 1 + std::popcount(blp);
    }
  }
  gst_rtcp_buffer_unmap(&buffer);
  return packets;
}

}  // namespace seccam::camera
