// An offer's SDP as the camera reads it (camera/peer/codec_choice): any text gives a choice
// or a refusal, never a crash, and a choice is one the camera can send (payload types and
// extension IDs in range, VP8 only when it can encode VP8, H.264 only constrained baseline).
#include <gst/gst.h>


#include "camera/peer/codec_choice.hpp"
#include "fuzz_check.hpp"

using namespace seccam::camera;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gst_init(nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte: the camera's encoder preference and whether it can encode VP8.
  bool preferVp8 = data[0] & 1, vp8Available = data[0] & 2;
  auto sdp = seccam::fuzz::textOf(data + 1, size - 1);
  auto result = chooseVideoCodec(sdp, preferVp8, vp8Available);
  if (!result.choice) return 0;
  const auto& choice = *result.choice;
  FUZZ_CHECK(choice.payloadType >= 0 && choice.payloadType <= 127);
  FUZZ_CHECK(choice.rtxPayloadType >= 0 && choice.rtxPayloadType <= 127);
  FUZZ_CHECK(choice.rtxPayloadType != choice.payloadType || choice.rtxPayloadType == 0);
  FUZZ_CHECK(choice.playoutDelayExtensionId >= 0 && choice.playoutDelayExtensionId <= 127);
  FUZZ_CHECK(choice.mlineIndex >= 0);
  if (choice.codec == VideoCodec::Vp8) {
    FUZZ_CHECK(vp8Available);
    FUZZ_CHECK(choice.profileLevelId.empty());
  } else {
    FUZZ_CHECK(isConstrainedBaselineProfileLevelId(choice.profileLevelId));
  }
  return 0;
}
