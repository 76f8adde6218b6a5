// The capture side, in a pipeline of its own: a source that fails, drops (RTSP) or ends (a
// looped file) is restarted here without touching the viewers' pipeline, which keeps running
// and simply gets no new frames meanwhile.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "camera/motion/test_scene.hpp"
#include "camera/pipeline/source_factory.hpp"
#include "camera/pipeline/source_spec.hpp"

typedef struct _GstBuffer GstBuffer;
typedef struct _GstCaps GstCaps;

namespace seccam::camera {
namespace gst {
class GstLoopThread;
}

inline constexpr unsigned kSourceRetryDelayMs = 2000;

class VideoSource {
 public:
  struct Events {
    // A frame for the media pipeline (on a streaming thread): ownership of `buffer` passes.
    std::function<void(GstBuffer* buffer, GstCaps* caps)> onFrame;
    // The RTSP stream could not be passed through: the media pipeline must take raw frames.
    std::function<void(InputKind kind)> onInputKindChanged;
  };

  // `scene`: what the test source paints into its pattern (ignored by the other kinds).
  VideoSource(SourceSpec spec, VideoFormat format, bool latencyProbe, gst::GstLoopThread& loop,
              Events events, TestSceneSettings scene = {});
  // Tears the capture down if stop() has not: on the loop thread, or once the loop has stopped.
  ~VideoSource();
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  // What the source delivers now (RTSP starts as pass-through).
  InputKind inputKind() const;
  // Loop thread only.
  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared: pending retries hold it weakly
};

}  // namespace seccam::camera
