// Offer SDP reading: see codec_choice.hpp.
#include "camera/peer/codec_choice.hpp"

#include <map>
#include <sstream>
#include <vector>

#include "camera/peer/playout_delay_extension.hpp"

namespace seccam::camera {

namespace {
constexpr unsigned kBaselineProfileIdc = 0x42;
constexpr unsigned kConstraintSet1 = 0x40;

struct PayloadInfo {
  std::string encoding;  // upper case, e.g. "H264"
  std::map<std::string, std::string> fmtp;
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return std::string(s);
}

std::optional<int> payloadNumber(const std::string& text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int pt = std::stoi(text);
  if (pt > 127) return std::nullopt;
  return pt;
}

std::map<std::string, std::string> parseFmtp(std::string_view params) {
  std::map<std::string, std::string> out;
  std::string item;
  std::istringstream in{std::string(params)};
  while (std::getline(in, item, ';')) {
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    out[trimmed(item.substr(0, eq))] = trimmed(item.substr(eq + 1));
  }
  return out;
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
  if (sdp.substr(0, 4) != "v=0\n" && sdp.substr(0, 5) != "v=0\r\n") {
    return {std::nullopt, OfferRefusal::NotSdp};
  }
  // Walk the lines: note the first video m-line's payload types, rtpmap, fmtp and mid.
  int mline = -1;
  int videoMline = -1;
  std::vector<int> order;
  std::map<int, PayloadInfo> payloads;
  std::string mid;
  int playoutDelayId = 0;
  std::istringstream in{std::string(sdp)};
  for (std::string raw; std::getline(in, raw);) {
    std::string line = trimmed(raw);
    if (line.rfind("m=", 0) == 0) {
      ++mline;
      if (videoMline >= 0) break;
      if (line.rfind("m=video ", 0) == 0) {
        videoMline = mline;
        std::istringstream fields(line);
        std::string field;
        for (int i = 0; fields >> field; ++i) {
          if (i < 3) continue;  // m=video, port, proto
          if (auto pt = payloadNumber(field)) order.push_back(*pt);
        }
      }
      continue;
    }
    if (videoMline < 0 || mline != videoMline) continue;
    if (line.rfind("a=mid:", 0) == 0) {
      mid = line.substr(6);
    } else if (line.rfind("a=extmap:", 0) == 0) {
      // a=extmap:ID[/direction] URI
      auto space = line.find(' ');
      if (space != std::string::npos && line.substr(space + 1) == kPlayoutDelayExtensionUri) {
        auto id = payloadNumber(line.substr(9, line.find_first_of("/ ", 9) - 9));
        if (id && *id >= 1) playoutDelayId = *id;
      }
    } else if (line.rfind("a=rtpmap:", 0) == 0) {
      auto space = line.find(' ');
      auto pt = payloadNumber(line.substr(9, space == std::string::npos ? 0 : space - 9));
      if (pt && space != std::string::npos) {
        auto slash = line.find('/', space);
        payloads[*pt].encoding = upper(line.substr(
            space + 1, slash == std::string::npos ? std::string::npos : slash - space - 1));
      }
    } else if (line.rfind("a=fmtp:", 0) == 0) {
      auto space = line.find(' ');
      auto pt = payloadNumber(line.substr(7, space == std::string::npos ? 0 : space - 7));
      if (pt && space != std::string::npos) payloads[*pt].fmtp = parseFmtp(line.substr(space + 1));
    }
  }
  if (videoMline < 0) return {std::nullopt, OfferRefusal::NoVideo};

  std::optional<CodecChoice> h264;
  std::optional<CodecChoice> vp8;
  for (int pt : order) {
    const auto& info = payloads[pt];
    if (!h264 && info.encoding == "H264") {
      auto mode = info.fmtp.find("packetization-mode");
      auto profile = info.fmtp.find("profile-level-id");
      if (mode != info.fmtp.end() && mode->second == "1" && profile != info.fmtp.end() &&
          isConstrainedBaselineProfileLevelId(profile->second)) {
        h264 = CodecChoice{VideoCodec::H264, pt, profile->second, videoMline, mid};
      }
    } else if (!vp8 && info.encoding == "VP8") {
      vp8 = CodecChoice{VideoCodec::Vp8, pt, "", videoMline, mid};
    }
  }
  for (auto* choice : {&h264, &vp8}) {
    if (*choice) (*choice)->playoutDelayExtensionId = playoutDelayId;
  }
  if (!vp8Available) vp8.reset();
  if (preferVp8 && vp8) return {vp8};
  if (h264) return {h264};
  if (vp8) return {vp8};
  return {std::nullopt, OfferRefusal::NoCompatibleCodec};
}

}  // namespace seccam::camera
