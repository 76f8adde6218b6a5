// Parsing of the `source` setting: see source_spec.hpp.
#include "camera/pipeline/source_spec.hpp"

#include <stdexcept>

namespace seccam::camera {

namespace {
bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
}  // namespace

SourceSpec parseSourceSpec(std::string_view text) {
  if (text == "test") return {SourceKind::Test, ""};
  if (text == "libcamera") return {SourceKind::Libcamera, ""};
  if (startsWith(text, "v4l2:") && text.size() > 5) {
    return {SourceKind::V4l2, std::string(text.substr(5))};
  }
  if ((startsWith(text, "rtsp://") && text.size() > 7) ||
      (startsWith(text, "rtsps://") && text.size() > 8)) {
    return {SourceKind::Rtsp, std::string(text)};
  }
  if (startsWith(text, "file:") && text.size() > 5) {
    return {SourceKind::File, std::string(text.substr(5))};
  }
  throw std::invalid_argument(
      "'source' must be test, v4l2:/dev/videoN, libcamera, rtsp://… or "
      "file:PATH, not '" +
      std::string(text) + "'");
}

const char* sourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::Test:
      return "test";
    case SourceKind::V4l2:
      return "v4l2";
    case SourceKind::Libcamera:
      return "libcamera";
    case SourceKind::Rtsp:
      return "rtsp";
    case SourceKind::File:
      return "file";
  }
  return "?";
}

}  // namespace seccam::camera
