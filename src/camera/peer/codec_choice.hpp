// Reading a browser's offer: which video m-line to answer and with which payload type.
// H.264 needs packetization-mode=1 and a constrained-baseline profile-level-id (42e0xx and
// the like), since that is what our encoder produces and webrtcbin compares profiles; VP8
// when the offer has no such H.264 entry (or VP8 is preferred and offered).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "camera/pipeline/video_codec.hpp"

namespace seccam::camera {

struct CodecChoice {
  VideoCodec codec = VideoCodec::H264;
  int payloadType = 0;
  std::string profileLevelId;       // H.264 only, as offered
  int mlineIndex = 0;               // of the video m-line
  std::string mid;                  // of the video m-line ("" when the offer has none)
  int playoutDelayExtensionId = 0;  // the offer's ID for the playout-delay extension, 0: none
  int rtxPayloadType = 0;  // the offer's rtx payload type whose apt= is payloadType, 0: none
};

// Why an offer cannot be answered.
enum class OfferRefusal {
  NotSdp,             // not an SDP message at all: bye bad_sdp
  NoVideo,            // no video m-line: bye unsupported_codec
  NoCompatibleCodec,  // no constrained-baseline H.264 (packetization-mode=1) nor usable VP8
};
const char* offerRefusalText(OfferRefusal refusal);  // for logs

struct CodecChoiceResult {
  std::optional<CodecChoice> choice;
  OfferRefusal refusal = OfferRefusal::NotSdp;  // meaningful when `choice` is empty
};

CodecChoiceResult chooseVideoCodec(std::string_view offerSdp, bool preferVp8, bool vp8Available);

// profile-level-id (6 hex digits) is a constrained-baseline one: profile_idc 0x42 with
// constraint_set1 set.
bool isConstrainedBaselineProfileLevelId(std::string_view profileLevelId);

}  // namespace seccam::camera
