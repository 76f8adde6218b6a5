// The video codecs the camera can send: named here so that peers and the session core need
// not include the media pipeline.
#pragma once

namespace seccam::camera {

enum class VideoCodec { H264, Vp8 };

constexpr const char* videoCodecName(VideoCodec codec) {
  return codec == VideoCodec::H264 ? "H.264" : "VP8";
}

}  // namespace seccam::camera
