// The source pipeline of each kind as one readable launch description, ending in an appsink
// named "sink" that hands frames (raw I420, or H.264 for RTSP pass-through) to the media
// pipeline. The element named "input" gets the device, URL or path set as a property.
#pragma once

#include <string>

#include "camera/pipeline/source_spec.hpp"

namespace seccam::camera {

struct VideoFormat {
  int width = 1280;
  int height = 720;
  int fps = 30;
};

// What the source delivers to the media pipeline.
enum class InputKind { Raw, H264PassThrough };

struct SourceDescription {
  std::string launch;
  std::string inputProperty;  // "device", "location" or "" (nothing to set)
  bool syncToClock = false;   // files play at their own rate; live sources as they come
};

// `testScroll`: pixels a frame the test pattern scrolls by (0: still).
SourceDescription describeSource(const SourceSpec& spec, const VideoFormat& format, InputKind kind,
                                 bool haveClockOverlay, int testScroll = 0);

// H.264 profiles every browser decodes and webrtcbin can declare as they are.
bool isBrowserSafeH264Profile(const std::string& profile);

}  // namespace seccam::camera
