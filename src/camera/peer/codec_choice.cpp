// Offer SDP reading: see codec_choice.hpp.
#include "camera/peer/codec_choice.hpp"

#include <gst/sdp/sdp.h>

#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "camera/gst/gst_handles.hpp"
#include "camera/peer/playout_delay_extension.hpp"
#include "common/text.hpp"

namespace seccam::camera {

namespace {
constexpr unsigned kBaselineProfileIdc = 0x42;
constexpr unsigned kConstraintSet1 = 0x40;
constexpr int kMaxPayloadType = 127;

using SdpMessagePtr = std::unique_ptr<GstSDPMessage, gst::Deleter<gst_sdp_message_free>>;

struct PayloadInfo {
  std::string encoding;  // lower case, e.g. "h264"
  std::map<std::string, std::string, std::less<>> fmtp;
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// A decimal number from 0 to `max` (payload types, extmap IDs); anything else is not one.
std::optional<int> smallNumber(std::string_view text, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0 || value > max)
    return std::nullopt;
  return value;
}

// "<number><sep><rest>" as in rtpmap, fmtp and extmap values: the number and the rest.
std::optional<std::pair<int, std::string_view>> numberedValue(const char* value, int max) {
  if (!value) return std::nullopt;
  std::string_view text = trimmed(value);
  auto end = text.find_first_of(" /");
  if (end == std::string_view::npos) return std::nullopt;
  auto number = smallNumber(text.substr(0, end), max);
  if (!number) return std::nullopt;
  auto rest = text.substr(end + 1);
  if (text[end] == '/') {  // extmap's direction: "ID/direction URI"
    auto space = rest.find(' ');
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
  }
  return std::pair{*number, trimmed(rest)};
}

// "key=value;key=value" (spaces around either allowed; names are case-insensitive).
void parseFmtp(std::string_view params, PayloadInfo& info) {
  while (!params.empty()) {
    auto semicolon = params.find(';');
    auto item = params.substr(0, semicolon);
    auto eq = item.find('=');
    if (eq != std::string_view::npos)
      info.fmtp[text::lowerCase(trimmed(item.substr(0, eq)))] = trimmed(item.substr(eq + 1));
    if (semicolon == std::string_view::npos) break;
    params.remove_prefix(semicolon + 1);
  }
}

// What codec choice needs of one video m-line.
struct VideoMedia {
  std::vector<int> order;  // payload types as listed on the m-line
  std::map<int, PayloadInfo> payloads;
  std::string mid;
  int playoutDelayId = 0;
};

VideoMedia readVideoMedia(const GstSDPMedia* media) {
  VideoMedia video;
  for (guint i = 0; i < gst_sdp_media_formats_len(media); ++i) {
    const gchar* format = gst_sdp_media_get_format(media, i);
    if (auto pt = format ? smallNumber(format, kMaxPayloadType) : std::nullopt)
      video.order.push_back(*pt);
  }
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* attribute = gst_sdp_media_get_attribute(media, i);
    std::string_view key = attribute->key ? attribute->key : "";
    if (key == "mid") {
      video.mid = attribute->value ? trimmed(attribute->value) : "";
    } else if (key == "rtpmap") {
      // PT encoding/clock-rate[/channels]
      if (auto v = numberedValue(attribute->value, kMaxPayloadType))
        video.payloads[v->first].encoding =
            text::lowerCase(v->second.substr(0, v->second.find('/')));
    } else if (key == "fmtp") {
      if (auto v = numberedValue(attribute->value, kMaxPayloadType))
        parseFmtp(v->second, video.payloads[v->first]);
    } else if (key == "extmap") {
      // ID[/direction] URI
      auto v = numberedValue(attribute->value, kMaxPayloadType);
      if (v && v->first >= 1 && v->second == kPlayoutDelayExtensionUri)
        video.playoutDelayId = v->first;
    }
  }
  return video;
}

// RFC 4588: the offer's "rtx" entry whose fmtp apt= names `payloadType`; 0 when none.
int rtxPayloadTypeFor(const VideoMedia& video, int payloadType) {
  for (int pt : video.order) {
    auto found = video.payloads.find(pt);
    if (found == video.payloads.end() || found->second.encoding != "rtx") continue;
    auto apt = found->second.fmtp.find("apt");
    if (apt == found->second.fmtp.end()) continue;
    if (smallNumber(apt->second, kMaxPayloadType) == payloadType) return pt;
  }
  return 0;
}
}  // namespace

const char* offerRefusalText(OfferRefusal refusal) {
  switch (refusal) {
    case OfferRefusal::NotSdp:
      return "the offer is not SDP";
    case OfferRefusal::NoVideo:
      return "the offer has no video";
    case OfferRefusal::NoCompatibleCodec:
      return "the offer has neither constrained-baseline H.264 (packetization-mode=1) nor a "
             "usable VP8";
  }
  return "the offer cannot be answered";
}

bool isConstrainedBaselineProfileLevelId(std::string_view id) {
  if (id.size() != 6) return false;
  unsigned value = 0;
  for (char c : id) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    value = value * 16 +
            static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(c))
                                      ? c - '0'
                                      : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
  }
  unsigned profileIdc = value >> 16;
  unsigned constraints = (value >> 8) & 0xff;
  return profileIdc == kBaselineProfileIdc && (constraints & kConstraintSet1);
}

CodecChoiceResult chooseVideoCodec(std::string_view sdp, bool preferVp8, bool vp8Available) {
  // GstSDP reads almost any text as a message: an offer must at least start as SDP does.
  if (sdp.substr(0, 4) != "v=0\n" && sdp.substr(0, 5) != "v=0\r\n") {
    return {std::nullopt, OfferRefusal::NotSdp};
  }
  GstSDPMessage* rawMessage = nullptr;
  std::string text(sdp);
  if (gst_sdp_message_new_from_text(text.c_str(), &rawMessage) != GST_SDP_OK || !rawMessage)
    return {std::nullopt, OfferRefusal::NotSdp};
  SdpMessagePtr message(rawMessage);
  // The first video m-line is the one answered.
  int videoMline = -1;
  VideoMedia video;
  for (guint i = 0; i < gst_sdp_message_medias_len(message.get()); ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(message.get(), i);
    if (g_strcmp0(gst_sdp_media_get_media(media), "video") == 0) {
      videoMline = static_cast<int>(i);
      video = readVideoMedia(media);
      break;
    }
  }
  if (videoMline < 0) return {std::nullopt, OfferRefusal::NoVideo};

  std::optional<CodecChoice> h264;
  std::optional<CodecChoice> vp8;
  for (int pt : video.order) {
    auto found = video.payloads.find(pt);
    if (found == video.payloads.end()) continue;  // no rtpmap: a static type, not ours
    const PayloadInfo& info = found->second;
    if (!h264 && info.encoding == "h264") {
      auto mode = info.fmtp.find("packetization-mode");
      auto profile = info.fmtp.find("profile-level-id");
      if (mode != info.fmtp.end() && mode->second == "1" && profile != info.fmtp.end() &&
          isConstrainedBaselineProfileLevelId(profile->second)) {
        h264 = CodecChoice{VideoCodec::H264, pt, profile->second, videoMline, video.mid};
      }
    } else if (!vp8 && info.encoding == "vp8") {
      vp8 = CodecChoice{VideoCodec::Vp8, pt, "", videoMline, video.mid};
    }
  }
  for (auto* choice : {&h264, &vp8}) {
    if (!*choice) continue;
    (*choice)->playoutDelayExtensionId = video.playoutDelayId;
    (*choice)->rtxPayloadType = rtxPayloadTypeFor(video, (*choice)->payloadType);
  }
  if (!vp8Available) vp8.reset();
  if (preferVp8 && vp8) return {vp8};
  if (h264) return {h264};
  if (vp8) return {vp8};
  return {std::nullopt, OfferRefusal::NoCompatibleCodec};
}

}  // namespace seccam::camera
