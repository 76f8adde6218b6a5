// Motion events and their clips: see event_recorder.hpp.
#include "camera/recording/event_recorder.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include "camera/agent_events.hpp"
#include "camera/gst/bus_watch.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/gst/gst_loop_thread.hpp"
#include "camera/motion/motion_detector.hpp"
#include "camera/pipeline/latency_stamp.hpp"
#include "camera/pipeline/media_pipeline.hpp"
#include "camera/recording/retention.hpp"

namespace seccam::camera {

namespace fs = std::filesystem;

namespace {
// The analysed picture: 160 wide (90 high at 16:9), 8 frames a second.
constexpr int kMotionWidth = 160;
constexpr int kMotionFps = 8;
constexpr int kThumbnailWidth = 320;
// Clips written at once (events overlapping through their post-rolls); more are skipped.
constexpr std::size_t kMaxWriters = 3;
// The ring keeps this much more than the pre-roll: an event is detected a few frames after
// it started, and its clip starts at the key frame before start - pre-roll.
constexpr std::int64_t kRingMarginMs = 1500;
// The ring never holds more frames than this many seconds at 60 fps, whatever the key frames.
constexpr std::size_t kRingHardLimitSeconds = 45;
constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr auto kFinishTimeout = 5 * GST_SECOND;

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The event's ID from its start: 20261201-030405-678 (UTC), which also names its files.
std::string eventId(std::int64_t startMs) {
  std::time_t seconds = static_cast<std::time_t>(startMs / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d%02d%02d-%02d%02d%02d-%03d", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(startMs % 1000));
  return text;
}

// The start time an ID names, or -1 for a file that is not one of ours.
std::int64_t startOfId(const std::string& id) {
  std::tm utc{};
  int ms = 0;
  int used = 0;
  if (std::sscanf(id.c_str(), "%4d%2d%2d-%2d%2d%2d-%3d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &ms, &used) != 7 ||
      used != static_cast<int>(id.size()))
    return -1;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&utc)) * 1000 + ms;
}

struct Frame {
  gst::BufferPtr buffer;
  std::int64_t wallMs = 0;
  std::uint64_t seq = 0;
  bool key = false;
};

// One clip being written: its own small pipeline, so finishing it touches nothing else.
struct ClipWriter {
  std::string id;
  fs::path part;  // <id>.mp4.part until complete
  fs::path done;  // <id>.mp4
  gst::ElementPtr pipeline;
  gst::ElementPtr appsrc;
  std::uint64_t nextSeq = 0;  // the next ring frame to write
  GstClockTime firstPts = GST_CLOCK_TIME_NONE;
  std::int64_t stopAtMs = std::numeric_limits<std::int64_t>::max();
  bool ended = false;      // end of stream sent (under the recorder's mutex)
  bool completed = false;  // loop thread: finished (or failed) and stopped
  gst::BusWatch watch;     // its end of stream (or error), on the loop thread
};
}  // namespace

struct EventRecorder::Impl : std::enable_shared_from_this<EventRecorder::Impl> {
  MotionSettings motion;
  RecordingSettings recording;
  bool latencyProbe;
  fs::path clipsDir;
  gst::GstLoopThread& loop;
  Events events;

  std::shared_ptr<MediaPipeline> media;
  gst::ElementPtr motionBin;
  gst::ElementPtr thumbBin;
  gst::ElementPtr clipBin;
  gst::ElementPtr thumbValve;
  gst::PadPtr motionTeePad;
  gst::PadPtr thumbTeePad;
  gst::PadPtr clipTeePad;
  FeedOrigin clipOrigin = FeedOrigin::Encoded;
  bool recordingOn = false;

  std::mutex mutex;  // the three streaming threads and the loop thread share what follows
  std::unique_ptr<MotionDetector> detector;
  std::shared_ptr<MediaPipeline> sizeSource;  // `media`, for the streaming thread
  std::string eventIdNow;  // the running event's, empty when none
  std::int64_t eventStartMs = 0;
  std::string thumbFor;  // the event whose still the next thumbnail is
  std::deque<Frame> ring;
  std::uint64_t nextSeq = 0;
  gst::CapsPtr encodedCaps;
  std::vector<std::shared_ptr<ClipWriter>> writers;    // being fed
  std::vector<std::shared_ptr<ClipWriter>> finishing;  // end of stream sent, muxer finishing

  Impl(const CameraConfig& config, gst::GstLoopThread& l, Events e)
      : motion(config.motion),
        recording(config.recording),
        latencyProbe(config.latencyProbe),
        clipsDir(fs::path(config.dataDir) / "clips"),
        loop(l),
        events(std::move(e)) {}

  // ---- loop thread: building and removing the branches ----

  gst::ElementPtr addBranch(const std::string& description, GstPad* teePad) {
    GError* raw = nullptr;
    auto bin = gst::sink(gst_parse_bin_from_description(description.c_str(), TRUE, &raw));
    gst::ErrorPtr error(raw);
    if (!bin || error) {
      spdlog::error("cannot build a motion/recording branch: {}", error ? error->message : "?");
      return nullptr;
    }
    gst_bin_add(GST_BIN(media->pipeline()), bin.get());
    gst_element_sync_state_with_parent(bin.get());
    gst::PadPtr sink(gst_element_get_static_pad(bin.get(), "sink"));
    gst_pad_link(teePad, sink.get());
    return bin;
  }

  void setAppSink(GstElement* bin, GstFlowReturn (*onSample)(GstAppSink*, gpointer)) {
    gst::ElementPtr sink(gst_bin_get_by_name(GST_BIN(bin), "out"));
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = onSample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, this, nullptr);
  }

  void attach(std::shared_ptr<MediaPipeline> pipeline) {
    if (!motion.enabled || !pipeline) return;
    media = std::move(pipeline);
    {
      std::lock_guard lock(mutex);
      sizeSource = media;
    }
    auto full = media->renditionSize(Rendition::Full);
    motionTeePad = media->attachRaw();
    if (!motionTeePad) {
      spdlog::warn("motion detection needs the decoded picture: off for an RTSP pass-through "
                   "without instant-start");
      media.reset();
      return;
    }
    // The analysed size keeps the picture's aspect (90 lines at 16:9); caps fix it once known.
    int width = kMotionWidth;
    int height = full.width > 0 ? std::max(2, (kMotionWidth * full.height / full.width) & ~1) : 90;
    // The queues are named: their streaming threads ("motion:src", "still:src", "clips:src")
    // carry each branch's whole cost, which bench/camera/motion_bench reads per thread.
    std::string motionLaunch =
        "queue name=motion max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
        "videorate drop-only=true max-rate=" + std::to_string(kMotionFps) +
        " ! videoscale ! videoconvert ! video/x-raw,format=GRAY8,width=" + std::to_string(width) +
        ",height=" + std::to_string(height) +
        " ! appsink name=out sync=false async=false max-buffers=1 drop=true";
    motionBin = addBranch(motionLaunch, motionTeePad.get());
    if (!motionBin) return detach();
    setAppSink(motionBin.get(), [](GstAppSink* s, gpointer self) {
      return static_cast<Impl*>(self)->onMotionSample(s);
    });

    recordingOn = recording.enabled && prepareClipsDir();
    if (!recordingOn) return;
    thumbTeePad = media->attachRaw();
    thumbBin = addBranch(
        "queue name=still max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! "
        "valve name=valve drop=true ! videoscale ! videoconvert ! video/x-raw,width=" +
            std::to_string(kThumbnailWidth) + ",height=" +
            std::to_string(std::max(2, (kThumbnailWidth * height / width) & ~1)) +
            ",pixel-aspect-ratio=1/1 ! jpegenc quality=80 ! "
            "appsink name=out sync=false async=false max-buffers=1 drop=true",
        thumbTeePad.get());
    if (thumbBin) {
      thumbValve.reset(gst_bin_get_by_name(GST_BIN(thumbBin.get()), "valve"));
      setAppSink(thumbBin.get(), [](GstAppSink* s, gpointer self) {
        return static_cast<Impl*>(self)->onThumbnail(s);
      });
    }
    // The full rendition as viewers get it: its encoder now runs for as long as we are here.
    clipOrigin = media->originOf(Rendition::Full);
    clipTeePad = media->attachViewer(VideoCodec::H264, Rendition::Full, clipOrigin);
    if (!clipTeePad) {
      offRecording("no H.264 stream of the full picture");
      return;
    }
    clipBin = addBranch(
        "queue name=clips max-size-buffers=0 max-size-bytes=0 max-size-time=2000000000 "
        "leaky=downstream ! "
        "appsink name=out sync=false async=false max-buffers=0 drop=false",
        clipTeePad.get());
    if (!clipBin) return offRecording("the clip branch could not be built");
    setAppSink(clipBin.get(), [](GstAppSink* s, gpointer self) {
      return static_cast<Impl*>(self)->onEncoded(s);
    });
    // The ring starts at a key frame.
    media->requestKeyFrame(clipTeePad.get());
    applyRetention();
  }

  void offRecording(const std::string& why) {
    spdlog::warn("no clips: {}", why);
    event_log::emit(event_log::Kind::RecordingOff, {{"why", why}});
    recordingOn = false;
  }

  bool prepareClipsDir() {
    std::error_code ec;
    fs::create_directories(clipsDir, ec);
    if (ec || !fs::is_directory(clipsDir)) {
      offRecording("cannot create " + clipsDir.string() + ": " + ec.message());
      return false;
    }
    // A clip left unfinished (the camera stopped hard, the power went) cannot be played:
    // nothing is being written while we attach, so every .part goes.
    for (const auto& entry : fs::directory_iterator(clipsDir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".part") == 0) {
        std::error_code removed;
        fs::remove(entry.path(), removed);
      }
    }
    return true;
  }

  void removeBranch(gst::ElementPtr& bin, gst::PadPtr& teePad, bool encoded) {
    if (teePad) {
      if (bin) {
        gst::PadPtr sink(gst_element_get_static_pad(bin.get(), "sink"));
        gst_pad_unlink(teePad.get(), sink.get());
      }
      if (encoded)
        media->detachViewer(VideoCodec::H264, Rendition::Full, clipOrigin, teePad.get());
      else
        media->detachRaw(teePad.get());
      teePad.reset();
    }
    if (bin) {
      gst_element_set_state(bin.get(), GST_STATE_NULL);
      gst_bin_remove(GST_BIN(media->pipeline()), bin.get());
      bin.reset();
    }
  }

  void detach() {
    if (!media) return;
    // The motion branch first: no streaming thread then reports a transition any more.
    removeBranch(motionBin, motionTeePad, false);
    std::optional<MotionDetector::Transition> last;
    {
      std::lock_guard lock(mutex);
      if (detector) last = detector->finish();
    }
    if (last) onTransition(*last, nowMs());
    removeBranch(thumbBin, thumbTeePad, false);
    thumbValve.reset();
    removeBranch(clipBin, clipTeePad, true);
    std::vector<std::shared_ptr<ClipWriter>> left;
    {
      std::lock_guard lock(mutex);
      left = std::move(writers);
      writers.clear();
      left.insert(left.end(), finishing.begin(), finishing.end());
      finishing.clear();
      ring.clear();
      detector.reset();
      sizeSource.reset();
      encodedCaps.reset();
    }
    for (auto& w : left) {
      if (!w->ended) gst_app_src_end_of_stream(GST_APP_SRC(w->appsrc.get()));
      w->ended = true;
      finishNow(w);
    }
    media.reset();
  }

  // ---- the motion branch's streaming thread ----

  GstFlowReturn onMotionSample(GstAppSink* appsink) {
    gst::SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_EOS;
    GstVideoInfo info;
    GstCaps* caps = gst_sample_get_caps(sample.get());
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    if (!caps || !buffer || !gst_video_info_from_caps(&info, caps)) return GST_FLOW_OK;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) return GST_FLOW_OK;
    std::int64_t now = nowMs();
    std::optional<MotionDetector::Transition> transition;
    double share = 0;
    {
      std::lock_guard lock(mutex);
      if (!detector || detector->width() != GST_VIDEO_INFO_WIDTH(&info) ||
          detector->height() != GST_VIDEO_INFO_HEIGHT(&info)) {
        auto full =
            sizeSource ? sizeSource->renditionSize(Rendition::Full) : MediaPipeline::Size{};
        MotionSettings settings = motion;
        if (latencyProbe && settings.zones.empty() && full.height > 0) {
          // The latency probe's band changes every frame: never motion.
          int band = stampBandHeight(full.height);
          settings.zones = {{0, band, full.width, full.height - band}};
        }
        detector = std::make_unique<MotionDetector>(settings, GST_VIDEO_INFO_WIDTH(&info),
                                                    GST_VIDEO_INFO_HEIGHT(&info), full.width,
                                                    full.height);
      }
      transition = detector->analyse(
          static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
          GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), now);
      share = detector->lastShare();
    }
    gst_video_frame_unmap(&frame);
    spdlog::trace("motion: {:.4f} of the picture changed", share);
    if (transition) onTransition(*transition, now);
    return GST_FLOW_OK;
  }

  // Any thread but with `mutex` free.
  void onTransition(const MotionDetector::Transition& t, std::int64_t now) {
    protocol::CameraEvent event;
    event.kind = "motion";
    event.start = t.startMs;
    event.score = std::min(1.0, t.score);
    if (t.kind == MotionDetector::Transition::Kind::Started) {
      std::string id = eventId(t.startMs);
      {
        std::lock_guard lock(mutex);
        eventIdNow = id;
        eventStartMs = t.startMs;
        if (recordingOn) {
          thumbFor = id;
          startClip(id, t.startMs);
        }
      }
      if (thumbValve) g_object_set(thumbValve.get(), "drop", FALSE, nullptr);
      event.id = id;
      spdlog::info("motion: event {} started (score {:.3f})", id, event.score);
      event_log::emit(event_log::Kind::MotionStarted,
                      {{"id", id}, {"start", t.startMs}, {"score", scoreField(event.score)}});
    } else {
      {
        std::lock_guard lock(mutex);
        event.id = std::exchange(eventIdNow, std::string());
        for (auto& w : writers)
          if (w->id == event.id)
            w->stopAtMs = std::max<std::int64_t>(now, t.endMs + recording.postRollSeconds * 1000LL);
      }
      if (event.id.empty()) return;
      event.end = t.endMs;
      spdlog::info("motion: event {} ended after {} ms", event.id, t.endMs - t.startMs);
      event_log::emit(event_log::Kind::MotionEnded, {{"id", event.id},
                                                     {"start", t.startMs},
                                                     {"end", t.endMs},
                                                     {"durationMs", t.endMs - t.startMs},
                                                     {"score", scoreField(event.score)}});
    }
    if (events.onEvent) events.onEvent(std::move(event));
  }

  // The score in the event log, as parts per million (the log has no floating point).
  static std::int64_t scoreField(double score) {
    return static_cast<std::int64_t>(score * 1'000'000);
  }

  // ---- clips: `mutex` held ----

  void startClip(const std::string& id, std::int64_t startMs) {
    if (writers.size() >= kMaxWriters || !encodedCaps || ring.empty()) {
      spdlog::warn("motion: no clip for event {} ({})", id,
                   writers.size() >= kMaxWriters ? "too many clips at once" : "no video yet");
      return;
    }
    // From the last key frame at or before start - pre-roll (else the oldest one we have).
    std::int64_t from = startMs - recording.preRollSeconds * 1000LL;
    const Frame* first = nullptr;
    for (const auto& f : ring) {
      if (!f.key) continue;
      if (!first || f.wallMs <= from) first = &f;
      if (f.wallMs > from) break;
    }
    if (!first) {
      spdlog::warn("motion: no key frame in memory for event {}", id);
      return;
    }
    auto writer = std::make_shared<ClipWriter>();
    writer->id = id;
    writer->done = clipsDir / (id + ".mp4");
    writer->part = clipsDir / (id + ".mp4.part");
    writer->nextSeq = first->seq;
    GError* raw = nullptr;
    // faststart: the index at the front, so a page can play the clip while it downloads.
    writer->pipeline = gst::sink(gst_parse_launch(
        "appsrc name=src format=time is-live=false block=false max-bytes=0 ! h264parse ! "
        "mp4mux faststart=true ! filesink name=file sync=false async=false",
        &raw));
    gst::ErrorPtr error(raw);
    if (!writer->pipeline || error) {
      spdlog::error("motion: cannot build the clip writer: {}", error ? error->message : "?");
      return;
    }
    writer->appsrc.reset(gst_bin_get_by_name(GST_BIN(writer->pipeline.get()), "src"));
    gst::ElementPtr file(gst_bin_get_by_name(GST_BIN(writer->pipeline.get()), "file"));
    g_object_set(file.get(), "location", writer->part.c_str(), nullptr);
    gst_app_src_set_caps(GST_APP_SRC(writer->appsrc.get()), encodedCaps.get());
    if (gst_element_set_state(writer->pipeline.get(), GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
      spdlog::error("motion: cannot write {}", writer->part.string());
      gst_element_set_state(writer->pipeline.get(), GST_STATE_NULL);
      return;
    }
    // Its end comes on the loop thread, which is never blocked waiting for a muxer.
    writer->watch = gst::BusWatch(
        writer->pipeline.get(), loop.context(),
        [weak = weak_from_this(), weakWriter = std::weak_ptr<ClipWriter>(writer)](GstMessage* m) {
          auto type = GST_MESSAGE_TYPE(m);
          if (type != GST_MESSAGE_EOS && type != GST_MESSAGE_ERROR) return;
          auto self = weak.lock();
          auto w = weakWriter.lock();
          if (self && w) self->complete(w, type == GST_MESSAGE_EOS);
        });
    writers.push_back(writer);
    feed(*writer);
  }

  // Pushes the ring's frames the writer has not had yet; ends it at its stop time.
  void feed(ClipWriter& w) {
    if (w.ended) return;
    if (!ring.empty() && w.nextSeq < ring.front().seq) {
      // It fell behind the ring (cannot happen at our sizes): go on from the next key frame.
      w.nextSeq = ring.front().seq;
    }
    for (const auto& f : ring) {
      if (f.seq < w.nextSeq) continue;
      if (f.wallMs >= w.stopAtMs && w.firstPts != GST_CLOCK_TIME_NONE) {
        gst_app_src_end_of_stream(GST_APP_SRC(w.appsrc.get()));
        w.ended = true;
        return;
      }
      GstBuffer* copy = gst_buffer_copy(f.buffer.get());
      GstClockTime pts = GST_BUFFER_PTS(copy);
      if (w.firstPts == GST_CLOCK_TIME_NONE) w.firstPts = pts;
      if (GST_CLOCK_TIME_IS_VALID(pts))
        GST_BUFFER_PTS(copy) = pts >= w.firstPts ? pts - w.firstPts : 0;
      GstClockTime dts = GST_BUFFER_DTS(copy);
      if (GST_CLOCK_TIME_IS_VALID(dts))
        GST_BUFFER_DTS(copy) = dts >= w.firstPts ? dts - w.firstPts : 0;
      gst_app_src_push_buffer(GST_APP_SRC(w.appsrc.get()), copy);
      w.nextSeq = f.seq + 1;
    }
  }

  // ---- the clip branch's streaming thread ----

  GstFlowReturn onEncoded(GstAppSink* appsink) {
    gst::SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (!sample) return GST_FLOW_EOS;
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    GstCaps* caps = gst_sample_get_caps(sample.get());
    if (!buffer) return GST_FLOW_OK;
    std::int64_t now = nowMs();
    {
      std::lock_guard lock(mutex);
      if (caps && (!encodedCaps || !gst_caps_is_equal(encodedCaps.get(), caps)))
        encodedCaps.reset(gst_caps_ref(caps));
      bool key = !GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT);
      ring.push_back(Frame{gst::BufferPtr(gst_buffer_ref(buffer)), now, nextSeq++, key});
      trimRing(now);
      for (auto& w : writers) {
        feed(*w);
        if (w->ended) finishing.push_back(w);
      }
      std::erase_if(writers, [](const auto& w) { return w->ended; });
    }
    return GST_FLOW_OK;
  }

  // Keeps the frames from the last key frame at or before now - pre-roll - margin; a frame
  // a writer still needs is always newer than that.
  void trimRing(std::int64_t now) {
    std::int64_t keepFrom = now - recording.preRollSeconds * 1000LL - kRingMarginMs;
    while (true) {
      // The second key frame in the ring: when it is old enough, everything before it goes.
      auto second = ring.end();
      bool seenFirst = false;
      for (auto it = ring.begin(); it != ring.end(); ++it) {
        if (!it->key) continue;
        if (seenFirst) {
          second = it;
          break;
        }
        seenFirst = true;
      }
      if (second == ring.end() || second->wallMs > keepFrom) break;
      bool needed = false;
      for (const auto& w : writers)
        if (!w->ended && w->nextSeq < second->seq) needed = true;
      if (needed) break;
      ring.erase(ring.begin(), second);
    }
    while (ring.size() > kRingHardLimitSeconds * 60) ring.pop_front();
  }

  // ---- the thumbnail branch's streaming thread ----

  GstFlowReturn onThumbnail(GstAppSink* appsink) {
    gst::SamplePtr sample(gst_app_sink_pull_sample(appsink));
    if (thumbValve) g_object_set(thumbValve.get(), "drop", TRUE, nullptr);
    if (!sample) return GST_FLOW_EOS;
    std::string id;
    {
      std::lock_guard lock(mutex);
      id = std::exchange(thumbFor, std::string());
    }
    GstBuffer* buffer = gst_sample_get_buffer(sample.get());
    if (id.empty() || !buffer) return GST_FLOW_OK;
    GstMapInfo map;
    if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) return GST_FLOW_OK;
    fs::path path = clipsDir / (id + ".jpg");
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(map.data), static_cast<std::streamsize>(map.size));
    gst_buffer_unmap(buffer, &map);
    if (!out) spdlog::warn("motion: cannot write {}", path.string());
    return GST_FLOW_OK;
  }

  // ---- loop thread: a clip is complete ----

  // Detaching: waits for the muxer here (it writes the index, and moves it to the front, on
  // end of stream), so that a camera that stops leaves its clips complete.
  void finishNow(const std::shared_ptr<ClipWriter>& w) {
    if (w->completed) return;
    w->watch.remove();
    gst::BusPtr bus(gst_element_get_bus(w->pipeline.get()));
    GstMessage* message = gst_bus_timed_pop_filtered(
        bus.get(), kFinishTimeout,
        static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    bool ok = message && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
    if (message) gst_message_unref(message);
    complete(w, ok);
  }

  // The writer's end of stream (`ok`) or its error: the clip is renamed into place (or
  // removed) and retention runs.
  void complete(const std::shared_ptr<ClipWriter>& w, bool ok) {
    if (w->completed) return;
    w->completed = true;
    w->watch.remove();
    {
      std::lock_guard lock(mutex);
      std::erase(writers, w);
      std::erase(finishing, w);
    }
    gst_element_set_state(w->pipeline.get(), GST_STATE_NULL);
    std::error_code ec;
    if (!ok) {
      spdlog::error("motion: clip {} could not be finished", w->id);
      fs::remove(w->part, ec);
      return;
    }
    fs::rename(w->part, w->done, ec);
    if (ec) {
      spdlog::error("motion: cannot complete {}: {}", w->done.string(), ec.message());
      return;
    }
    auto bytes = fs::file_size(w->done, ec);
    fs::path thumb = clipsDir / (w->id + ".jpg");
    spdlog::info("motion: clip {} saved ({} bytes)", w->done.string(), bytes);
    event_log::emit(event_log::Kind::ClipSaved,
                    {{"id", w->id},
                     {"path", w->done.string()},
                     {"bytes", static_cast<std::int64_t>(ec ? 0 : bytes)},
                     {"thumbnail", fs::exists(thumb) ? thumb.string() : std::string()}});
    applyRetention();
  }

  // Oldest first past the budget or the age limit; the clips being written stay.
  void applyRetention() {
    std::map<std::string, StoredClip> byId;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(clipsDir, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      std::string name = entry.path().filename().string();
      std::string id = name.substr(0, name.find('.'));
      std::int64_t start = startOfId(id);
      if (start < 0) continue;
      auto& clip = byId[id];
      clip.id = id;
      clip.startMs = start;
      clip.bytes += entry.file_size(ec);
    }
    std::vector<StoredClip> clips;
    for (auto& [id, clip] : byId) clips.push_back(clip);
    std::vector<std::string> keep;
    {
      std::lock_guard lock(mutex);
      for (const auto& w : writers) keep.push_back(w->id);
      for (const auto& w : finishing) keep.push_back(w->id);
      if (!eventIdNow.empty()) keep.push_back(eventIdNow);
    }
    RetentionLimits limits{recording.budgetMb * 1024 * 1024,
                           static_cast<std::int64_t>(recording.maxAgeDays) * kMsPerDay};
    for (const auto& id : clipsToDelete(std::move(clips), limits, nowMs(), keep)) {
      for (const char* ext : {".mp4", ".jpg", ".mp4.part"}) fs::remove(clipsDir / (id + ext), ec);
      spdlog::info("motion: clip {} deleted (retention)", id);
      event_log::emit(event_log::Kind::ClipDeleted, {{"id", id}});
    }
  }
};

EventRecorder::EventRecorder(const CameraConfig& config, gst::GstLoopThread& loop, Events events)
    : impl_(std::make_shared<Impl>(config, loop, std::move(events))) {}

EventRecorder::~EventRecorder() { impl_->detach(); }

void EventRecorder::attach(std::shared_ptr<MediaPipeline> pipeline) {
  impl_->attach(std::move(pipeline));
}

void EventRecorder::detach() { impl_->detach(); }

}  // namespace seccam::camera
