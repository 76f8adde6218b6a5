// The viewers' pipeline: frames from the VideoSource → one encoder per codec and rendition in
// use → a tee per encoder that viewers' branches hang off. An encoder idles (its valve closed)
// while nobody watches it, and a joining viewer gets a key frame at once. The renditions are
// the quality ladder of docs/CONGESTION.md: each viewer is on the one its link carries.
//
//   appsrc ! tee name=raw ─┬─ queue ! valve ! x264enc ! capsfilter ! tee name=h264 ─ viewers
//                          ├─ queue ! valve ! videoscale ! 360p ! x264enc … ! tee name=h264-medium
//                          └─ queue ! valve ! vp8enc  ! tee name=vp8                ─ viewers
//   (RTSP pass-through:  appsrc ! tee name=h264 ─ viewers; full rendition only)
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "camera/camera_config.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/pipeline/source_factory.hpp"
#include "camera/pipeline/video_codec.hpp"
#include "camera/session/rendition_controller.hpp"

namespace seccam::camera {
namespace gst {
class GstLoopThread;
}

struct MediaSettings {
  InputKind input = InputKind::Raw;
  EncoderPreference encoder = EncoderPreference::X264;
  int bitrateKbps = kDefaultBitrateKbps;
  int fps = kDefaultFps;
};

class MediaPipeline {
 public:
  struct Events {
    // An element inside a viewer's branch failed (its webrtcbin is named "webrtc-<session>").
    std::function<void(std::string session, std::string message)> onViewerError;
  };

  MediaPipeline(MediaSettings settings, gst::GstLoopThread& loop, Events events);
  // Stops the pipeline if stop() has not: on the loop thread, or once the loop has stopped.
  ~MediaPipeline();
  MediaPipeline(const MediaPipeline&) = delete;
  MediaPipeline& operator=(const MediaPipeline&) = delete;

  // Any thread: the next frame from the source (takes ownership of `buffer`).
  void pushFrame(GstBuffer* buffer, GstCaps* caps);

  // Loop thread only from here on.
  void start();
  void stop();
  GstElement* pipeline() const;
  bool canServe(VideoCodec codec, Rendition rendition = Rendition::Full) const;
  // Whether viewers can move down the quality ladder (not for pass-through).
  bool hasLadder() const;
  // The picture size of a rendition for the source's current format (0x0 before any frame).
  struct Size {
    int width = 0;
    int height = 0;
  };
  Size renditionSize(Rendition rendition) const;
  // The bitrate a rendition's encoder aims at, in kbit/s.
  int renditionKbps(Rendition rendition) const;
  // A new source pad of the rendition's tee, for one viewer's branch (encoder started or woken
  // as needed), null when it cannot be served; give the pad back with detachViewer.
  gst::PadPtr attachViewer(VideoCodec codec, Rendition rendition = Rendition::Full);
  void detachViewer(VideoCodec codec, Rendition rendition, GstPad* teePad);
  // Asks the codec's encoder for a key frame through this viewer's tee pad.
  void requestKeyFrame(GstPad* teePad);
  int encoderCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seccam::camera
