// The camera's media side: see camera_media.hpp.
#include "camera/pipeline/camera_media.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "camera/pipeline/media_pipeline.hpp"
#include "camera/pipeline/source_spec.hpp"
#include "camera/pipeline/video_source.hpp"
#include "camera/recording/event_recorder.hpp"

namespace seccam::camera {

CameraMedia::CameraMedia(const CameraConfig& config, gst::GstLoopThread& loop, Events events)
    : config_(config), loop_(loop), events_(std::move(events)) {
  auto spec = parseSourceSpec(config_.source);
  initialKind_ = spec.kind == SourceKind::Rtsp ? InputKind::H264PassThrough : InputKind::Raw;
  VideoSource::Events sourceEvents;
  sourceEvents.onFrame = [this](GstBuffer* buffer, GstCaps* caps) {
    gst::BufferPtr frame(buffer);  // ours until the media pipeline takes it
    if (auto pipeline = current()) pipeline->pushFrame(frame.release(), caps);
  };
  sourceEvents.onInputKindChanged = [this](InputKind kind) {
    if (events_.onInputKindChanged) events_.onInputKindChanged(kind);
  };
  EventRecorder::Events recorderEvents;
  recorderEvents.onEvent = [this](protocol::CameraEvent event) {
    if (events_.onMotionEvent) events_.onMotionEvent(std::move(event));
  };
  recorder_ = std::make_unique<EventRecorder>(config_, loop_, std::move(recorderEvents));
  source_ =
      std::make_unique<VideoSource>(spec, VideoFormat{config_.width, config_.height, config_.fps},
                                    config_.latencyProbe, loop_, std::move(sourceEvents),
                                    config_.testScene);
}

CameraMedia::~CameraMedia() = default;

void CameraMedia::start() {
  // The first webrtcbin would otherwise generate the DTLS certificate while a viewer waits.
  auto begin = std::chrono::steady_clock::now();
  // Not makeElement: without the DTLS plugin the first webrtcbin will say so itself.
  dtlsWarmup_ = gst::sink(gst_element_factory_make("dtlsdec", nullptr));
  spdlog::info("DTLS certificate ready in {} ms",
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - begin)
                   .count());
  restart(initialKind_);
  source_->start();
}

void CameraMedia::restart(InputKind kind) {
  MediaSettings settings{kind, config_.encoder, config_.bitrateKbps, config_.fps,
                         config_.instantStart};
  MediaPipeline::Events events;
  events.onViewerError = events_.onViewerError;
  auto next = std::make_shared<MediaPipeline>(settings, loop_, std::move(events));
  next->start();
  recorder_->detach();
  std::shared_ptr<MediaPipeline> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(pipeline_, next);
  }
  if (old) old->stop();
  recorder_->attach(next);
}

void CameraMedia::stop() {
  source_->stop();
  recorder_->detach();
  std::shared_ptr<MediaPipeline> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(pipeline_, nullptr);
  }
  if (old) old->stop();
}

std::shared_ptr<MediaPipeline> CameraMedia::current() const {
  std::lock_guard lock(mutex_);
  return pipeline_;
}

}  // namespace seccam::camera
