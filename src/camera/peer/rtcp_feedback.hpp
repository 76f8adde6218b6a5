// What a viewer's RTCP says about the stream we send it: the receiver report block about our
// SSRC, with the round trip from its LSR/DLSR (RFC 3550 §6.4.1). The rendition controller
// (session/rendition_controller) decides from these; viewer_peer feeds them in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "camera/session/rendition_controller.hpp"

typedef struct _GstBuffer GstBuffer;

namespace seccam::camera {

// The middle 32 bits of an NTP timestamp (what LSR holds), for a wall-clock time in
// microseconds since the Unix epoch (g_get_real_time()).
std::uint32_t ntpMiddle32(std::int64_t unixMicros);

// The report block about `ssrc` in an RTCP compound packet (in an SR or an RR), if there is
// one. `arrivedUnixMicros` is the wall-clock time the packet arrived, for the round trip;
// `arrived` is stamped on the report. A malformed packet yields nothing.
std::optional<ReceiverReport> receiverReportFor(GstBuffer* rtcp, std::uint32_t ssrc,
                                                std::chrono::steady_clock::time_point arrived,
                                                std::int64_t arrivedUnixMicros);

// How many packets of `ssrc` the generic NACKs (RFC 4585 §6.2.1) in an RTCP compound packet
// ask for again: a browser sends them as soon as it misses a packet, even with reduced-size
// RTCP, where no receiver report rides along.
int nackedPacketsFor(GstBuffer* rtcp, std::uint32_t ssrc);

}  // namespace seccam::camera
