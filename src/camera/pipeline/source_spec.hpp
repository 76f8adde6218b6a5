// The `source` setting parsed: which kind of video source, and its device, URL or path.
#pragma once

#include <string>
#include <string_view>

namespace seccam::camera {

enum class SourceKind { Test, V4l2, Libcamera, Rtsp, File };

struct SourceSpec {
  SourceKind kind = SourceKind::Test;
  std::string location;  // device path, rtsp:// URL or file path; empty for test/libcamera
};

// "test" | "v4l2:/dev/videoN" | "libcamera" | "rtsp://…" (or rtsps://) | "file:PATH".
// Throws std::invalid_argument with a message naming the accepted forms.
SourceSpec parseSourceSpec(std::string_view text);

const char* sourceKindName(SourceKind kind);

}  // namespace seccam::camera
