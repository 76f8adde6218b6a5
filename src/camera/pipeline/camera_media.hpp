// The camera's media side, on the GLib loop thread: the video source, the media pipeline it
// feeds (replaced when the source's stream format changes) and the DTLS warm-up. The agent
// asks it for the current pipeline when a viewer's peer starts.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "camera/camera_config.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/pipeline/source_factory.hpp"
#include "common/protocol.hpp"

namespace seccam::camera {
namespace gst {
class GstLoopThread;
}  // namespace gst
class EventRecorder;
class MediaPipeline;
class VideoSource;

class CameraMedia {
 public:
  // Called on GStreamer threads: the receiver hands them over to its own thread.
  struct Events {
    // The source's stream format changed (an RTSP camera that cannot be passed through): the
    // owner ends the sessions on the old pipeline, then calls restart(kind).
    std::function<void(InputKind kind)> onInputKindChanged;
    // An element inside a viewer's branch failed.
    std::function<void(std::string session, std::string message)> onViewerError;
    // A motion event started or ended (recording/event_recorder.hpp).
    std::function<void(protocol::CameraEvent event)> onMotionEvent;
  };

  CameraMedia(const CameraConfig& config, gst::GstLoopThread& loop, Events events);
  ~CameraMedia();
  CameraMedia(const CameraMedia&) = delete;
  CameraMedia& operator=(const CameraMedia&) = delete;

  // What the source delivers at start (RTSP starts as H.264 pass-through).
  InputKind initialInputKind() const { return initialKind_; }
  // Loop thread: warms the DTLS certificate, builds the media pipeline, starts the source.
  void start();
  // Loop thread: a new media pipeline for `kind` replaces the current one.
  void restart(InputKind kind);
  // Loop thread: the source and the pipeline stop.
  void stop();
  // Any thread: the pipeline viewers attach to now (null before start and after stop).
  std::shared_ptr<MediaPipeline> current() const;

 private:
  const CameraConfig& config_;
  gst::GstLoopThread& loop_;
  Events events_;
  InputKind initialKind_;
  mutable std::mutex mutex_;  // guards `pipeline_`: the source's streaming thread reads it
  std::shared_ptr<MediaPipeline> pipeline_;
  gst::ElementPtr dtlsWarmup_;  // kept alive with the certificate it made
  std::unique_ptr<EventRecorder> recorder_;  // motion events and clips, off the pipeline
  // Last, so that it goes first: its streaming thread uses the members above.
  std::unique_ptr<VideoSource> source_;
};

}  // namespace seccam::camera
