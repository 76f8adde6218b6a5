// The capture pipeline: see video_source.hpp.
#include "camera/pipeline/video_source.hpp"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "camera/agent_events.hpp"
#include "camera/gst/bus_watch.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/gst/gst_loop_thread.hpp"
#include "camera/pipeline/latency_stamp.hpp"

namespace seccam::camera {

struct VideoSource::Impl : std::enable_shared_from_this<VideoSource::Impl> {
  SourceSpec spec;
  VideoFormat format;
  bool latencyProbe;
  gst::GstLoopThread& loop;
  Events events;
  std::atomic<InputKind> kind;
  gst::ElementPtr pipeline;
  gst::BusWatch busWatch;
  // Bumped on every (re)start, so that a stale retry or bus message is ignored.
  std::atomic<unsigned> generation{0};
  std::atomic<bool> stopped{false};
  std::atomic<bool> profileChecked{false};
  std::atomic<bool> firstFrameSeen{false};
  GstVideoInfo videoInfo{};
  GstCaps* videoInfoCaps = nullptr;  // the caps videoInfo was read from (identity only)
  TestSceneSettings sceneSettings;
  std::unique_ptr<TestScene> scene;  // the test source's, made at its first frame
  std::chrono::steady_clock::time_point sceneStart;
  int sceneWidth = 0;
  int sceneHeight = 0;

  Impl(SourceSpec s, VideoFormat f, bool probe, gst::GstLoopThread& l, Events e,
       TestSceneSettings sc)
      : spec(std::move(s)),
        format(f),
        latencyProbe(probe),
        loop(l),
        events(std::move(e)),
        kind(spec.kind == SourceKind::Rtsp ? InputKind::H264PassThrough : InputKind::Raw),
        sceneSettings(std::move(sc)) {}
  ~Impl() {
    stopped = true;
    teardown();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void start() {
    ++generation;
    profileChecked = false;
    firstFrameSeen = false;
    // clockoverlay comes with Debian's gstreamer1.0-x; without it the pattern has no clock.
    bool haveClock =
        gst::ObjectPtr<GstElementFactory>(gst_element_factory_find("clockoverlay")) != nullptr;
    auto description = describeSource(spec, format, kind, haveClock, sceneSettings.scroll);
    GError* rawError = nullptr;
    auto built = gst::sink(gst_parse_launch(description.launch.c_str(), &rawError));
    gst::ErrorPtr error(rawError);
    if (!built || error) {
      spdlog::error("video source {}: cannot build pipeline: {}", sourceKindName(spec.kind),
                    error ? error->message : "unknown error");
      scheduleRestart();
      return;
    }
    pipeline = std::move(built);
    if (!description.inputProperty.empty()) {
      gst::ElementPtr input(gst_bin_get_by_name(GST_BIN(pipeline.get()), "input"));
      g_object_set(input.get(), description.inputProperty.c_str(), spec.location.c_str(), nullptr);
    }
    gst::ElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
    g_object_set(sink.get(), "sync", description.syncToClock ? TRUE : FALSE, nullptr);
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = [](GstAppSink* appsink, gpointer self) {
      return static_cast<Impl*>(self)->onNewSample(appsink);
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, this, nullptr);

    // `this` outlives the watch: teardown() removes it, on this thread, before Impl goes.
    busWatch = gst::BusWatch(pipeline.get(), loop.context(),
                             [this](GstMessage* message) { onBusMessage(message); });
    spdlog::info("video source {} starting ({}x{} at {} fps{})", sourceKindName(spec.kind),
                 format.width, format.height, format.fps,
                 kind == InputKind::H264PassThrough ? ", H.264 pass-through" : "");
    if (gst_element_set_state(pipeline.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
      spdlog::error("video source {}: cannot start", sourceKindName(spec.kind));
      scheduleRestart();
    }
  }

  void teardown() {
    busWatch.remove();
    if (pipeline) {
      gst_element_set_state(pipeline.get(), GST_STATE_NULL);
      pipeline.reset();
    }
    videoInfoCaps = nullptr;
  }

  void scheduleRestart() {
    teardown();
    if (stopped) return;
    unsigned expected = generation;
    spdlog::info("video source: retrying in {} ms", kSourceRetryDelayMs);
    event_log::emit(event_log::Kind::SourceRetrying, {{"inMs", std::int64_t{kSourceRetryDelayMs}}});
    // A retry still pending when the source goes finds nothing to restart.
    loop.invokeAfter(kSourceRetryDelayMs, [weak = weak_from_this(), expected] {
      auto self = weak.lock();
      if (self && !self->stopped && self->generation == expected) self->start();
    });
  }

  void onBusMessage(GstMessage* message) {
    switch (GST_MESSAGE_TYPE(message)) {
      case GST_MESSAGE_ERROR: {
        GError* raw = nullptr;
        gchar* debug = nullptr;
        gst_message_parse_error(message, &raw, &debug);
        gst::ErrorPtr error(raw);
        gst::GCharPtr debugText(debug);
        spdlog::error("video source {} failed: {} ({})", sourceKindName(spec.kind),
                      error ? error->message : "?", GST_OBJECT_NAME(GST_MESSAGE_SRC(message)));
        if (spec.kind == SourceKind::Rtsp && kind == InputKind::H264PassThrough &&
            !firstFrameSeen) {
          // Not H.264 at all (or not parseable): decode and re-encode instead.
          switchKind(InputKind::Raw, "the stream could not be passed through as H.264");
          return;
        }
        scheduleRestart();
        break;
      }
      case GST_MESSAGE_EOS:
        if (spec.kind == SourceKind::File) {
          // Looping a file: back to the start without rebuilding anything.
          if (gst_element_seek_simple(pipeline.get(), GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, 0)) {
            return;
          }
        }
        spdlog::warn("video source {} ended", sourceKindName(spec.kind));
        scheduleRestart();
        break;
      default:
        break;
    }
  }

  void switchKind(InputKind next, const char* why) {
    spdlog::warn("RTSP source: {}; re-encoding it", why);
    teardown();
    kind = next;
    if (events.onInputKindChanged) events.onInputKindChanged(next);
    start();
  }

  GstFlowReturn onNewSample(GstAppSink* appsink) {
    gst::SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_EOS;
    GstCaps* sampleCaps = gst_sample_get_caps(sample.get());
    GstBuffer* sampleBuffer = gst_sample_get_buffer(sample.get());
    if (!sampleCaps || !sampleBuffer) return GST_FLOW_OK;
    gst::CapsPtr caps(gst_caps_ref(sampleCaps));
    gst::BufferPtr buffer(gst_buffer_ref(sampleBuffer));
    sample.reset();  // our reference is then the only one: no copy when made writable

    if (kind == InputKind::H264PassThrough && !profileChecked.exchange(true)) {
      const gchar* profile =
          gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "profile");
      std::string name = profile ? profile : "unknown";
      if (!isBrowserSafeH264Profile(name)) {
        unsigned expected = generation;
        loop.invoke([weak = weak_from_this(), expected, name] {
          auto self = weak.lock();
          if (!self || self->generation != expected || self->stopped) return;
          self->switchKind(InputKind::Raw,
                           ("its H.264 profile '" + name + "' is not browser-safe").c_str());
        });
        return GST_FLOW_EOS;
      }
      spdlog::info("RTSP source: H.264 {} passed through without re-encoding", name);
    }
    if (!firstFrameSeen.exchange(true)) {
      spdlog::info("video source {}: first frame", sourceKindName(spec.kind));
      event_log::emit(event_log::Kind::SourceStarted,
                      {{"input", std::string(kind == InputKind::H264PassThrough ? "h264-passthrough"
                                                                                : "raw")}});
    }

    buffer.reset(gst_buffer_make_writable(buffer.release()));
    // The media pipeline stamps its own running time (do-timestamp).
    GST_BUFFER_PTS(buffer.get()) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DTS(buffer.get()) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION(buffer.get()) = GST_CLOCK_TIME_NONE;
    if (spec.kind == SourceKind::Test) paintScene(buffer.get(), caps.get());
    if (latencyProbe && kind == InputKind::Raw) stamp(buffer.get(), caps.get());
    if (events.onFrame) events.onFrame(buffer.release(), caps.get());
    return GST_FLOW_OK;
  }

  // The test source's scripted motion and noise (streaming thread only).
  void paintScene(GstBuffer* buffer, GstCaps* caps) {
    if (caps != videoInfoCaps) {
      if (!gst_video_info_from_caps(&videoInfo, caps)) return;
      videoInfoCaps = caps;
    }
    if (!scene || sceneWidth != GST_VIDEO_INFO_WIDTH(&videoInfo) ||
        sceneHeight != GST_VIDEO_INFO_HEIGHT(&videoInfo)) {
      sceneWidth = GST_VIDEO_INFO_WIDTH(&videoInfo);
      sceneHeight = GST_VIDEO_INFO_HEIGHT(&videoInfo);
      scene = std::make_unique<TestScene>(sceneSettings, GST_VIDEO_INFO_WIDTH(&videoInfo),
                                          GST_VIDEO_INFO_HEIGHT(&videoInfo));
      sceneStart = std::chrono::steady_clock::now();
    }
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &videoInfo, buffer, GST_MAP_WRITE)) return;
    auto sinceStart = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - sceneStart)
                          .count();
    scene->paint(static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                 GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), sinceStart);
    gst_video_frame_unmap(&frame);
  }

  void stamp(GstBuffer* buffer, GstCaps* caps) {
    if (caps != videoInfoCaps) {
      if (!gst_video_info_from_caps(&videoInfo, caps)) return;
      videoInfoCaps = caps;
    }
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &videoInfo, buffer, GST_MAP_WRITE)) return;
    auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    writeLatencyStamp(static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                      GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
                      GST_VIDEO_FRAME_HEIGHT(&frame), static_cast<std::uint64_t>(nowMs));
    // Neutral chroma under the band, so the cells read as pure white and black in RGB too.
    int band = stampBandHeight(GST_VIDEO_FRAME_HEIGHT(&frame));
    for (int plane = 1; plane < 3 && plane < static_cast<int>(GST_VIDEO_FRAME_N_PLANES(&frame));
         ++plane) {
      auto* data = static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, plane));
      int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, plane);
      int rows = (band + 1) / 2;
      int width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, plane);
      for (int y = 0; y < rows; ++y)
        std::memset(data + static_cast<std::ptrdiff_t>(y) * stride, 128,
                    static_cast<std::size_t>(width));
    }
    gst_video_frame_unmap(&frame);
  }
};

VideoSource::VideoSource(SourceSpec spec, VideoFormat format, bool latencyProbe,
                         gst::GstLoopThread& loop, Events events, TestSceneSettings scene)
    : impl_(std::make_shared<Impl>(std::move(spec), format, latencyProbe, loop, std::move(events),
                                   std::move(scene))) {}

// Impl's destructor tears the capture pipeline down if stop() has not.
VideoSource::~VideoSource() = default;

InputKind VideoSource::inputKind() const { return impl_->kind; }

void VideoSource::start() {
  impl_->stopped = false;
  impl_->start();
}

void VideoSource::stop() {
  impl_->stopped = true;
  impl_->teardown();
}

}  // namespace seccam::camera
