// The viewers' pipeline: see media_pipeline.hpp.
#include "camera/pipeline/media_pipeline.hpp"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "camera/agent_events.hpp"
#include "camera/gst/bus_watch.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/gst/gst_loop_thread.hpp"
#include "camera/pipeline/key_frame_limiter.hpp"

namespace seccam::camera {

namespace {
// Frames waiting between the source and the encoders: older ones are dropped, not queued.
constexpr int kInputQueueFrames = 3;
// A key frame at least this often, so a viewer that lost packets recovers quickly.
constexpr int kKeyFrameIntervalSeconds = 2;
constexpr const char* kViewerElementPrefix = "webrtc-";
// At most one forced key frame this often per encoder, whatever the viewers ask for (PLIs).
constexpr std::chrono::milliseconds kMinForcedKeyFrameSpacing{1000};
// Marks the camera's own request for a joining viewer: it always reaches the encoder.
constexpr const char* kJoinRequestField = "seccam-viewer-joining";

// Limits the viewers' force-key-unit requests on their way to one shared encoder: a probe on
// its tee's sink pad, through which every viewer's request passes upstream (webrtcbin turns
// PLIs into them). Requests within the interval after the last forced key frame are dropped
// (key_frame_limiter). Dropping beat deferring them to the end of the interval: Chromium
// (NACK on) then kept asking once a second, and every viewer got a key frame a second.
class KeyFrameGate {
 public:
  explicit KeyFrameGate(GstElement* tee) : teeSink_(gst_element_get_static_pad(tee, "sink")) {
    probe_ = gst_pad_add_probe(teeSink_.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, onUpstreamEvent,
                               this, nullptr);
  }
  // With the pipeline stopped: no streaming thread runs the probe any more.
  ~KeyFrameGate() { gst_pad_remove_probe(teeSink_.get(), probe_); }
  KeyFrameGate(const KeyFrameGate&) = delete;
  KeyFrameGate& operator=(const KeyFrameGate&) = delete;

 private:
  static GstPadProbeReturn onUpstreamEvent(GstPad*, GstPadProbeInfo* info, gpointer data) {
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM ||
        !gst_video_event_is_force_key_unit(event))
      return GST_PAD_PROBE_OK;
    auto* self = static_cast<KeyFrameGate*>(data);
    auto now = KeyFrameLimiter::Clock::now();
    std::lock_guard lock(self->mutex_);
    if (gst_structure_has_field(gst_event_get_structure(event), kJoinRequestField)) {
      self->limiter_.forced(now);
      return GST_PAD_PROBE_OK;
    }
    return self->limiter_.request(now) == KeyFrameLimiter::Verdict::Forward ? GST_PAD_PROBE_OK
                                                                           : GST_PAD_PROBE_DROP;
  }

  gst::PadPtr teeSink_;
  gulong probe_ = 0;
  std::mutex mutex_;  // the probe runs on each viewer's streaming thread
  KeyFrameLimiter limiter_{kMinForcedKeyFrameSpacing};
};

// The quality ladder below full (docs/CONGESTION.md): picture height and bitrate, the
// bitrate at most a share of the full one so that a low `bitrate` setting keeps its ladder.
struct Rung {
  int height;
  int kbps;
  double shareOfFull;
};
Rung rungOf(Rendition rendition) {
  switch (rendition) {
    case Rendition::Medium:
      return {360, 500, 0.4};
    case Rendition::Low:
      return {180, 150, 0.15};
    case Rendition::Full:
      break;
  }
  return {0, 0, 1.0};
}

int renditionKbps(Rendition rendition, int fullKbps) {
  if (rendition == Rendition::Full) return fullKbps;
  Rung rung = rungOf(rendition);
  return std::max(32, std::min(rung.kbps, static_cast<int>(fullKbps * rung.shareOfFull)));
}

std::string encoderDescription(VideoCodec codec, const MediaSettings& s, Rendition rendition,
                               MediaPipeline::Size scaleTo) {
  int keyInterval = s.fps * kKeyFrameIntervalSeconds;
  int kbps = renditionKbps(rendition, s.bitrateKbps);
  std::string head =
      "queue max-size-buffers=2 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
      "valve name=valve ! ";
  if (scaleTo.height > 0) {
    head += "videoscale ! capsfilter caps=video/x-raw,width=" + std::to_string(scaleTo.width) +
            ",height=" + std::to_string(scaleTo.height) + ",pixel-aspect-ratio=1/1 ! ";
  }
  if (codec == VideoCodec::Vp8) {
    return head +
           "vp8enc deadline=1 cpu-used=8 end-usage=cbr "
           "error-resilient=partitions lag-in-frames=0 threads=2 target-bitrate=" +
           std::to_string(kbps * 1000) + " keyframe-max-dist=" + std::to_string(keyInterval);
  }
  if (s.encoder == EncoderPreference::V4l2) {
    // The Raspberry Pi's hardware encoder; h264parse turns its output into access units.
    return head + "v4l2h264enc extra-controls=\"controls,video_bitrate=" +
           std::to_string(kbps * 1000) +
           ",h264_i_frame_period=" + std::to_string(keyInterval) +
           "\" ! video/x-h264,profile=constrained-baseline,level=(string)4 ! "
           "h264parse config-interval=-1 ! "
           "capsfilter caps=video/x-h264,stream-format=byte-stream,alignment=au";
  }
  // Constrained baseline (no B-frames): what every browser decodes and webrtcbin can declare.
  return head + "x264enc tune=zerolatency speed-preset=ultrafast bitrate=" +
         std::to_string(kbps) + " key-int-max=" + std::to_string(keyInterval) +
         " ! capsfilter caps=video/x-h264,profile=constrained-baseline,stream-format=byte-stream,"
         "alignment=au";
}

std::string teeName(VideoCodec codec, Rendition rendition) {
  std::string name = codec == VideoCodec::H264 ? "h264" : "vp8";
  if (rendition != Rendition::Full) name += "-" + std::string(renditionName(rendition));
  return name;
}
}  // namespace

struct MediaPipeline::Impl {
  struct CodecBranch {
    gst::ElementPtr tee;
    gst::ElementPtr valve;  // null when there is no encoder (pass-through)
    int viewers = 0;
    std::unique_ptr<KeyFrameGate> keyFrames;  // null when there is no encoder
  };

  MediaSettings settings;
  gst::GstLoopThread& loop;
  Events events;
  gst::ElementPtr pipeline;
  gst::ElementPtr appsrc;
  gst::ElementPtr rawTee;  // null for H.264 pass-through without instant start
  using BranchKey = std::tuple<VideoCodec, Rendition, FeedOrigin>;
  std::map<BranchKey, CodecBranch> branches;
  std::atomic<int> encoders{0};
  gst::BusWatch busWatch;
  bool stopping = false;
  std::mutex capsMutex;
  gst::CapsPtr currentCaps;

  Impl(MediaSettings s, gst::GstLoopThread& l, Events e)
      : settings(s), loop(l), events(std::move(e)) {}
  ~Impl() { stop(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void build() {
    pipeline = gst::sink(gst_pipeline_new("media"));
    appsrc = gst::makeElement("appsrc", "frames");
    g_object_set(appsrc.get(), "is-live", TRUE, "do-timestamp", TRUE, "format", GST_FORMAT_TIME,
                 "max-buffers", guint64(kInputQueueFrames), "max-bytes", guint64(0), nullptr);
    gst_util_set_object_arg(G_OBJECT(appsrc.get()), "leaky-type", "downstream");
    auto tee = gst::makeElement("tee", settings.input == InputKind::Raw ? "raw" : "h264-pass-through");
    g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
    gst_bin_add_many(GST_BIN(pipeline.get()), appsrc.get(), tee.get(), nullptr);
    gst_element_link(appsrc.get(), tee.get());
    if (settings.input == InputKind::Raw) {
      rawTee = std::move(tee);
    } else {
      if (settings.instantStart) addDecoder(tee.get());
      branches[{VideoCodec::H264, Rendition::Full, FeedOrigin::PassThrough}] =
          CodecBranch{std::move(tee), nullptr, 0, nullptr};
    }
    // `this` outlives the watch: stop() removes it, on this thread, before Impl goes.
    busWatch = gst::BusWatch(pipeline.get(), loop.context(),
                             [this](GstMessage* message) { onBusMessage(message); });
  }

  // Pass-through: the IP camera's H.264 decoded all the time, so that an encoder fed from it
  // can give a new viewer a key frame at once (the decoder has every reference frame).
  void addDecoder(GstElement* h264Tee) {
    GError* raw = nullptr;
    auto bin = gst::sink(gst_parse_bin_from_description(
        "queue max-size-buffers=3 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
        "avdec_h264 ! videoconvert",
        TRUE, &raw));
    gst::ErrorPtr error(raw);
    if (!bin || error) {
      spdlog::warn("no H.264 decoder ({}): viewers wait for the camera's key frames",
                   error ? error->message : "?");
      return;
    }
    rawTee = gst::makeElement("tee", "raw");
    g_object_set(rawTee.get(), "allow-not-linked", TRUE, nullptr);
    gst_bin_add_many(GST_BIN(pipeline.get()), bin.get(), rawTee.get(), nullptr);
    gst_element_link(bin.get(), rawTee.get());
    gst::PadPtr teePad(gst_element_request_pad_simple(h264Tee, "src_%u"));
    gst::PadPtr binSink(gst_element_get_static_pad(bin.get(), "sink"));
    gst_pad_link(teePad.get(), binSink.get());
  }

  // Idempotent; also what destruction does, so a pipeline never outlives its owner running.
  void stop() {
    stopping = true;
    busWatch.remove();
    if (pipeline) gst_element_set_state(pipeline.get(), GST_STATE_NULL);
  }

  void onBusMessage(GstMessage* message) {
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_STATE_CHANGED &&
        GST_MESSAGE_SRC(message) == GST_OBJECT(pipeline.get()) && !stopping) {
      GstState oldState, newState, pending;
      gst_message_parse_state_changed(message, &oldState, &newState, &pending);
      if (oldState == GST_STATE_PLAYING && newState == GST_STATE_PAUSED) {
        // Live viewers: the shared pipeline has nothing to preroll, back to PLAYING at once.
        spdlog::warn("media pipeline fell back to PAUSED; resuming");
        gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
      }
      return;
    }
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_LATENCY) {
      // A viewer's branch joined or changed: every sink must agree on the pipeline latency.
      gst_bin_recalculate_latency(GST_BIN(pipeline.get()));
      return;
    }
    bool error = GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR;
    if (!error && GST_MESSAGE_TYPE(message) != GST_MESSAGE_WARNING) return;
    GError* raw = nullptr;
    gchar* debug = nullptr;
    if (error)
      gst_message_parse_error(message, &raw, &debug);
    else
      gst_message_parse_warning(message, &raw, &debug);
    gst::ErrorPtr err(raw);
    gst::GCharPtr debugText(debug);
    std::string text = err ? err->message : "?";
    // Which viewer does it concern? Walk up to the element named after the session.
    for (GstObject* o = GST_MESSAGE_SRC(message); o; o = GST_OBJECT_PARENT(o)) {
      std::string name = GST_OBJECT_NAME(o) ? GST_OBJECT_NAME(o) : "";
      if (name.rfind(kViewerElementPrefix, 0) == 0) {
        std::string session = name.substr(std::char_traits<char>::length(kViewerElementPrefix));
        if (error) {
          if (events.onViewerError) events.onViewerError(session, text);
        } else {
          spdlog::warn("session {}: {}", session, text);
        }
        return;
      }
    }
    if (error)
      spdlog::error("media pipeline: {} ({})", text, GST_OBJECT_NAME(GST_MESSAGE_SRC(message)));
    else
      spdlog::warn("media pipeline: {}", text);
  }

  Size sourceSize() {
    std::lock_guard lock(capsMutex);
    Size size;
    if (!currentCaps || gst_caps_is_empty(currentCaps.get())) return size;
    const GstStructure* s = gst_caps_get_structure(currentCaps.get(), 0);
    gst_structure_get_int(s, "width", &size.width);
    gst_structure_get_int(s, "height", &size.height);
    return size;
  }

  // The rendition's picture: the source's, or scaled down to the rung's height (same aspect,
  // even sizes for the encoders); a source already that small is not scaled.
  Size renditionSize(Rendition rendition) {
    Size source = sourceSize();
    int rungHeight = rungOf(rendition).height;
    if (rendition == Rendition::Full || source.height <= rungHeight || source.width <= 0)
      return source;
    int width = static_cast<int>(static_cast<long long>(source.width) * rungHeight / source.height);
    return {std::max(2, width & ~1), rungHeight};
  }

  CodecBranch* startEncoder(VideoCodec codec, Rendition rendition) {
    GError* raw = nullptr;
    Size scaleTo;
    if (rendition != Rendition::Full) {
      Size size = renditionSize(rendition);
      if (size.height != sourceSize().height) scaleTo = size;
    }
    std::string description = encoderDescription(codec, settings, rendition, scaleTo);
    auto bin = gst::sink(gst_parse_bin_from_description(description.c_str(), TRUE, &raw));
    gst::ErrorPtr error(raw);
    if (!bin || error) {
      spdlog::error("cannot create the {} encoder: {}", videoCodecName(codec),
                    error ? error->message : "?");
      return nullptr;
    }
    auto tee = gst::makeElement("tee", teeName(codec, rendition).c_str());
    g_object_set(tee.get(), "allow-not-linked", TRUE, nullptr);
    gst_bin_add_many(GST_BIN(pipeline.get()), bin.get(), tee.get(), nullptr);
    gst_element_link(bin.get(), tee.get());
    // PLAYING before the first frame reaches them: a frame pushed into an element still in
    // NULL returns FLUSHING, which would stop the shared source thread for good.
    gst_element_sync_state_with_parent(tee.get());
    gst_element_sync_state_with_parent(bin.get());
    gst::PadPtr rawPad(gst_element_request_pad_simple(rawTee.get(), "src_%u"));
    gst::PadPtr binSink(gst_element_get_static_pad(bin.get(), "sink"));
    gst_pad_link(rawPad.get(), binSink.get());
    gst::ElementPtr valve(gst_bin_get_by_name(GST_BIN(bin.get()), "valve"));
    ++encoders;
    spdlog::info("encoder started for {}, {} rendition (encoders in this camera: {})",
                 videoCodecName(codec), renditionName(rendition), encoders);
    event_log::emit(event_log::Kind::EncoderStarted,
                    {{"codec", std::string(videoCodecName(codec))},
                     {"rendition", std::string(renditionName(rendition))},
                     {"encoders", std::int64_t{encoders}}});
    auto& branch = branches[{codec, rendition, FeedOrigin::Encoded}];
    auto keyFrames = std::make_unique<KeyFrameGate>(tee.get());
    branch = CodecBranch{std::move(tee), std::move(valve), 0, std::move(keyFrames)};
    return &branch;
  }
};

MediaPipeline::MediaPipeline(MediaSettings settings, gst::GstLoopThread& loop, Events events)
    : impl_(std::make_unique<Impl>(settings, loop, std::move(events))) {}

// Impl's destructor stops the pipeline (bus watch removed, state NULL) if stop() has not.
MediaPipeline::~MediaPipeline() = default;

void MediaPipeline::start() {
  impl_->build();
  gst_element_set_state(impl_->pipeline.get(), GST_STATE_PLAYING);
}

void MediaPipeline::stop() { impl_->stop(); }

GstElement* MediaPipeline::pipeline() const { return impl_->pipeline.get(); }

void MediaPipeline::pushFrame(GstBuffer* buffer, GstCaps* caps) {
  {
    std::lock_guard lock(impl_->capsMutex);
    if (!impl_->currentCaps || !gst_caps_is_equal(impl_->currentCaps.get(), caps)) {
      impl_->currentCaps.reset(gst_caps_ref(caps));
      gst_app_src_set_caps(GST_APP_SRC(impl_->appsrc.get()), caps);
    }
  }
  gst_app_src_push_buffer(GST_APP_SRC(impl_->appsrc.get()), buffer);
}

FeedOrigin MediaPipeline::originOf(Rendition rendition) const {
  return impl_->settings.input == InputKind::H264PassThrough && rendition == Rendition::Full
             ? FeedOrigin::PassThrough
             : FeedOrigin::Encoded;
}

bool MediaPipeline::canServe(VideoCodec codec, Rendition rendition, FeedOrigin origin) const {
  if (origin == FeedOrigin::PassThrough)
    return impl_->settings.input == InputKind::H264PassThrough && codec == VideoCodec::H264 &&
           rendition == Rendition::Full;
  return impl_->rawTee != nullptr || impl_->settings.input == InputKind::Raw;
}

bool MediaPipeline::hasLadder() const {
  return impl_->settings.input == InputKind::Raw || impl_->rawTee != nullptr;
}

bool MediaPipeline::startsEncoded() const {
  return impl_->settings.input == InputKind::H264PassThrough && impl_->rawTee != nullptr;
}

MediaPipeline::Size MediaPipeline::renditionSize(Rendition rendition) const {
  return impl_->renditionSize(rendition);
}

int MediaPipeline::renditionKbps(Rendition rendition) const {
  return seccam::camera::renditionKbps(rendition, impl_->settings.bitrateKbps);
}

gst::PadPtr MediaPipeline::attachViewer(VideoCodec codec, Rendition rendition,
                                        FeedOrigin origin) {
  if (!canServe(codec, rendition, origin)) return nullptr;
  auto it = impl_->branches.find({codec, rendition, origin});
  Impl::CodecBranch* branch =
      it != impl_->branches.end() ? &it->second : impl_->startEncoder(codec, rendition);
  if (!branch) return nullptr;
  if (branch->viewers++ == 0 && branch->valve) {
    g_object_set(branch->valve.get(), "drop", FALSE, nullptr);
  }
  return gst::PadPtr(gst_element_request_pad_simple(branch->tee.get(), "src_%u"));
}

void MediaPipeline::detachViewer(VideoCodec codec, Rendition rendition, FeedOrigin origin,
                                 GstPad* teePad) {
  auto it = impl_->branches.find({codec, rendition, origin});
  if (it == impl_->branches.end()) return;
  gst_element_release_request_pad(it->second.tee.get(), teePad);
  if (--it->second.viewers == 0 && it->second.valve) {
    // Nobody watches this encoder: stop feeding it.
    g_object_set(it->second.valve.get(), "drop", TRUE, nullptr);
    spdlog::info("{} encoder of the {} rendition idle (no viewers)", videoCodecName(codec),
                 renditionName(rendition));
    event_log::emit(event_log::Kind::EncoderIdle,
                    {{"codec", std::string(videoCodecName(codec))},
                     {"rendition", std::string(renditionName(rendition))}});
  }
}

void MediaPipeline::requestKeyFrame(GstPad* teePad) {
  // A joining viewer's key frame passes the encoder's limit (KeyFrameGate) and counts in it.
  GstEvent* event = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0);
  gst_structure_set(gst_event_writable_structure(event), kJoinRequestField, G_TYPE_BOOLEAN, TRUE,
                    nullptr);
  gst_pad_send_event(teePad, event);
}

int MediaPipeline::encoderCount() const { return impl_->encoders; }

gst::PadPtr MediaPipeline::attachRaw() {
  if (!impl_->rawTee) return nullptr;
  return gst::PadPtr(gst_element_request_pad_simple(impl_->rawTee.get(), "src_%u"));
}

void MediaPipeline::detachRaw(GstPad* teePad) {
  if (impl_->rawTee) gst_element_release_request_pad(impl_->rawTee.get(), teePad);
}

}  // namespace seccam::camera
