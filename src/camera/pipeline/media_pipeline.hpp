// The viewers' pipeline: frames from the VideoSource → one encoder per codec and rendition in
// use → a tee per encoder that viewers' branches hang off. An encoder idles (its valve closed)
// while nobody watches it, and a joining viewer gets a key frame at once. The renditions are
// the quality ladder of docs/CONGESTION.md: each viewer is on the one its link carries.
//
//   appsrc ! tee name=raw ─┬─ queue ! valve ! x264enc ! capsfilter ! tee name=h264 ─ viewers
//                          ├─ queue ! valve ! videoscale ! 360p ! x264enc … ! tee name=h264-medium
//                          └─ queue ! valve ! vp8enc  ! tee name=vp8                ─ viewers
//   RTSP pass-through:  appsrc ! tee name=h264-pass-through ─ viewers (the IP camera's own H.264)
//                                 └ queue ! avdec_h264 ! tee name=raw ─ encoders as above
//   A new viewer of a pass-through source starts on the encoded full rendition (a key frame
//   at once) and moves to the pass-through at the IP camera's next key frame ("instant
//   start"); without instant-start there is no decoder, no ladder, and viewers wait for it.
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
  bool instantStart = true;  // pass-through: decode, to start viewers at once and for the ladder
};

// Where a viewer's frames come from: the source's own H.264 (pass-through) or an encoder.
enum class FeedOrigin { PassThrough, Encoded };

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
  // What a viewer of `rendition` gets by default: the pass-through for full when there is one.
  FeedOrigin originOf(Rendition rendition) const;
  bool canServe(VideoCodec codec, Rendition rendition, FeedOrigin origin) const;
  bool canServe(VideoCodec codec) const {
    return canServe(codec, Rendition::Full, originOf(Rendition::Full));
  }
  // Whether viewers can move down the quality ladder (pass-through: only with instant start).
  bool hasLadder() const;
  // Pass-through with instant start: a new viewer starts on the encoded full rendition.
  bool startsEncoded() const;
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
  gst::PadPtr attachViewer(VideoCodec codec, Rendition rendition, FeedOrigin origin);
  void detachViewer(VideoCodec codec, Rendition rendition, FeedOrigin origin, GstPad* teePad);
  // Asks the codec's encoder for a key frame through this viewer's tee pad.
  void requestKeyFrame(GstPad* teePad);
  int encoderCount() const;
  // A new source pad of the raw picture's tee, for the camera's own branches (motion
  // detection, thumbnails); null when there is none (pass-through without instant start).
  // Link it to a branch already added to pipeline() and playing; give it back with detachRaw.
  gst::PadPtr attachRaw();
  void detachRaw(GstPad* teePad);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seccam::camera
