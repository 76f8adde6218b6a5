// Source launch descriptions: see source_factory.hpp.
#include "camera/pipeline/source_factory.hpp"

namespace seccam::camera {

namespace {
// RTSP jitter buffer: enough to reorder a LAN's packets, small enough for live viewing.
constexpr int kRtspLatencyMs = 200;

std::string rawTail(const VideoFormat& f) {
  return "videoconvert ! videoscale ! videorate ! video/x-raw,format=I420,width=" +
         std::to_string(f.width) + ",height=" + std::to_string(f.height) +
         ",framerate=" + std::to_string(f.fps) +
         "/1,pixel-aspect-ratio=1/1 ! "
         "appsink name=sink max-buffers=2 drop=true";
}
}  // namespace

SourceDescription describeSource(const SourceSpec& spec, const VideoFormat& format, InputKind kind,
                                 bool haveClockOverlay, int testScroll) {
  std::string rtsp = "rtspsrc name=input latency=" + std::to_string(kRtspLatencyMs) + " ! ";
  switch (spec.kind) {
    case SourceKind::Test: {
      // A still pattern with the wall-clock time drawn on it; the video source paints the
      // scripted motion and the sensor-like noise (motion/test_scene.hpp) into each frame.
      std::string launch =
          "videotestsrc is-live=true pattern=smpte horizontal-speed=" +
          std::to_string(testScroll) + " ! "
          "video/x-raw,width=" +
          std::to_string(format.width) + ",height=" + std::to_string(format.height) +
          ",framerate=" + std::to_string(format.fps) + "/1 ! ";
      if (haveClockOverlay) {
        launch += "clockoverlay halignment=right valignment=bottom time-format=\"%H:%M:%S\" ! ";
      }
      return {launch + rawTail(format), "", false};
    }
    case SourceKind::V4l2:
      return {"v4l2src name=input ! decodebin ! " + rawTail(format), "device", false};
    case SourceKind::Libcamera:
      return {"libcamerasrc ! " + rawTail(format), "", false};
    case SourceKind::File:
      return {"filesrc name=input ! decodebin ! " + rawTail(format), "location", true};
    case SourceKind::Rtsp:
      if (kind == InputKind::H264PassThrough) {
        return {rtsp +
                    "rtph264depay ! h264parse config-interval=-1 ! "
                    "video/x-h264,stream-format=byte-stream,alignment=au ! "
                    "appsink name=sink max-buffers=30 drop=false",
                "location", false};
      }
      return {rtsp + "decodebin ! " + rawTail(format), "location", false};
  }
  return {};
}

bool isBrowserSafeH264Profile(const std::string& profile) {
  return profile == "constrained-baseline";
}

}  // namespace seccam::camera
