// Motion events and their clips, on the camera: branches of the media pipeline of our own.
//
//   tee raw ─ queue leaky ! videorate (8 fps) ! videoscale ! GRAY8 160x90 ! appsink   → MotionDetector
//           └ queue leaky ! valve (open for one frame per event) ! 320 wide ! jpegenc ! appsink → <id>.jpg
//   tee h264 (full, or the RTSP pass-through) ─ queue ! appsink → a ring of encoded frames
//       from the key frame before the pre-roll → per event: appsrc ! h264parse ! mp4mux ! filesink
//
// No second encode: the clips are the full rendition's H.264 (or the IP camera's own), which
// is why the full encoder runs all the time while recording is on. Each event is reported
// (start, then end) through Events::onEvent; each clip is <data>/clips/<id>.mp4 with its
// still <id>.jpg, and retention keeps the folder within its budget and age.
#pragma once

#include <functional>
#include <memory>

#include "camera/camera_config.hpp"
#include "common/protocol.hpp"

namespace seccam::camera {
namespace gst {
class GstLoopThread;
}
class MediaPipeline;

class EventRecorder {
 public:
  struct Events {
    // Any thread: an event started (no `end`) or ended.
    std::function<void(protocol::CameraEvent event)> onEvent;
  };

  EventRecorder(const CameraConfig& config, gst::GstLoopThread& loop, Events events);
  // Detaches if detach() has not: on the loop thread, or once the loop has stopped.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // Loop thread: hang the branches off a started media pipeline (nothing when motion is off).
  void attach(std::shared_ptr<MediaPipeline> pipeline);
  // Loop thread: a running event ends and its clip is finished; the branches go.
  void detach();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seccam::camera
