// A viewer's clip channel: see clip_channel.hpp.
#include "camera/clips/clip_channel.hpp"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>
#include <spdlog/spdlog.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "camera/clips/clip_protocol.hpp"
#include "camera/gst/gst_handles.hpp"

namespace seccam::camera {

namespace fs = std::filesystem;

namespace {
// Bytes the channel may hold unsent before we wait for on-buffered-amount-low: enough to keep
// SCTP busy, little enough that the live video's packets are not stuck behind it. (64 KiB
// messages and these bounds against 16 KiB and half of them: no difference beyond the noise
// of a loaded machine, docs/PERFORMANCE.md section 11; fewer, larger messages cost less.)
constexpr guint64 kBufferedHigh = 1024 * 1024;
constexpr guint64 kBufferedLow = 256 * 1024;
// Requests waiting behind the one being served; more get `busy`.
constexpr std::size_t kMaxQueued = 32;
// If the low-water signal never comes (the channel is closing, say), look again this often.
constexpr guint kRepumpMs = 100;
}  // namespace

struct ClipChannel::Impl : std::enable_shared_from_this<ClipChannel::Impl> {
  gst::GObjectPtr<GstWebRTCDataChannel> channel;
  fs::path folder;
  gst::MainContextPtr loop;
  std::vector<unsigned long> handlers;
  bool closed = false;  // loop thread

  // Loop thread only.
  std::deque<clips::ClipRequest> queue;
  std::ifstream file;         // the still or clip being sent
  std::uint64_t remaining = 0;
  bool pumpScheduled = false;

  // Runs `work` on the loop thread with this alive.
  void onLoop(std::function<void(Impl&)> work) {
    struct Job {
      std::shared_ptr<Impl> self;
      std::function<void(Impl&)> work;
    };
    g_main_context_invoke_full(
        loop.get(), G_PRIORITY_DEFAULT,
        [](gpointer data) -> gboolean {
          auto* job = static_cast<Job*>(data);
          if (!job->self->closed) job->work(*job->self);
          return G_SOURCE_REMOVE;
        },
        new Job{shared_from_this(), std::move(work)}, [](gpointer data) { delete static_cast<Job*>(data); });
  }

  void sendText(const std::string& text) {
    GError* raw = nullptr;
    if (!gst_webrtc_data_channel_send_string_full(channel.get(), text.c_str(), &raw)) {
      gst::ErrorPtr error(raw);
      spdlog::debug("clips: cannot send: {}", error ? error->message : "?");
    }
  }

  void fail(const clips::RequestError& error) { sendText(clips::serializeError(error)); }

  void onRequest(const std::string& text) {
    auto parsed = clips::parseRequest(text);
    if (auto* error = std::get_if<clips::RequestError>(&parsed)) {
      fail(*error);
      return;
    }
    auto& request = std::get<clips::ClipRequest>(parsed);
    if (queue.size() >= kMaxQueued) {
      fail({request.req, "busy", "too many requests waiting; try again when some are answered"});
      return;
    }
    queue.push_back(std::move(request));
    pump();
  }

  // Starts the next request when none is being sent.
  void startNext() {
    while (remaining == 0 && !queue.empty()) {
      auto request = std::move(queue.front());
      queue.pop_front();
      if (request.kind == clips::RequestKind::List) {
        sendText(clips::serializeList(request.req, clips::listClips(folder, request.fromMs, request.toMs)));
        continue;
      }
      bool still = request.kind == clips::RequestKind::Still;
      auto path = clips::clipFile(folder, request.id, still ? ".jpg" : ".mp4");
      std::error_code ec;
      std::uint64_t total = path ? fs::file_size(*path, ec) : 0;
      if (!path || ec || !fs::is_regular_file(*path, ec)) {
        fail({request.req, "unknown-clip",
              std::string(still ? "no still for clip " : "no clip ") + request.id + " on this camera"});
        continue;
      }
      std::uint64_t offset = still ? 0 : request.offset;
      if (offset > total) {
        fail({request.req, "bad-request", "`offset` is past the end of the clip"});
        continue;
      }
      std::uint64_t bytes = std::min<std::uint64_t>(
          request.length.value_or(total - offset), std::min(total - offset, clips::kMaxRangeBytes));
      file = std::ifstream(*path, std::ios::binary);
      file.seekg(static_cast<std::streamoff>(offset));
      if (!file) {
        fail({request.req, "unknown-clip", "clip " + request.id + " cannot be read"});
        continue;
      }
      sendText(still ? clips::serializeStillHeader(request.req, request.id, bytes)
                     : clips::serializeClipHeader(request.req, request.id, offset, bytes, total));
      remaining = bytes;
    }
  }

  guint64 buffered() {
    guint64 amount = 0;
    g_object_get(channel.get(), "buffered-amount", &amount, nullptr);
    return amount;
  }

  // Sends what may be sent now; waits for on-buffered-amount-low (or the re-pump timer).
  void pump() {
    std::vector<char> chunk(clips::kChunkBytes);
    for (int rounds = 0; rounds < 4096 && !closed; ++rounds) {
      startNext();
      if (remaining == 0) return;
      if (buffered() >= kBufferedHigh) {
        scheduleRepump();
        return;
      }
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, chunk.size()));
      if (!file.read(chunk.data(), static_cast<std::streamsize>(n))) {
        // The file shrank under us (retention removed it while open cannot, but be safe):
        // the page sees a short transfer and asks again.
        spdlog::warn("clips: a clip could not be read to its end");
        remaining = 0;
        file = std::ifstream();
        sendText(clips::serializeError({0, "unknown-clip", "the clip could not be read to its end"}));
        continue;
      }
      std::unique_ptr<GBytes, gst::Deleter<g_bytes_unref>> bytes(g_bytes_new(chunk.data(), n));
      GError* raw = nullptr;
      if (!gst_webrtc_data_channel_send_data_full(channel.get(), bytes.get(), &raw)) {
        gst::ErrorPtr error(raw);
        spdlog::debug("clips: send failed: {}", error ? error->message : "?");
        queue.clear();
        remaining = 0;
        return;
      }
      remaining -= n;
      if (remaining == 0) file = std::ifstream();
    }
    scheduleRepump();
  }

  void scheduleRepump() {
    if (pumpScheduled) return;
    pumpScheduled = true;
    auto* self = new std::shared_ptr<Impl>(shared_from_this());
    GSource* source = g_timeout_source_new(kRepumpMs);
    g_source_set_callback(
        source,
        [](gpointer data) -> gboolean {
          auto& impl = **static_cast<std::shared_ptr<Impl>*>(data);
          impl.pumpScheduled = false;
          if (!impl.closed) impl.pump();
          return G_SOURCE_REMOVE;
        },
        self, [](gpointer data) { delete static_cast<std::shared_ptr<Impl>*>(data); });
    g_source_attach(source, loop.get());
    g_source_unref(source);
  }

  static void onMessageString(GstWebRTCDataChannel*, const char* text, gpointer data) {
    auto& impl = **static_cast<std::shared_ptr<Impl>*>(data);
    impl.onLoop([request = std::string(text ? text : "")](Impl& i) { i.onRequest(request); });
  }
  static void onMessageData(GstWebRTCDataChannel*, GBytes*, gpointer data) {
    auto& impl = **static_cast<std::shared_ptr<Impl>*>(data);
    impl.onLoop([](Impl& i) { i.fail({0, "bad-request", "requests are text (JSON), not binary"}); });
  }
  static void onBufferedAmountLow(GstWebRTCDataChannel*, gpointer data) {
    auto& impl = **static_cast<std::shared_ptr<Impl>*>(data);
    impl.onLoop([](Impl& i) { i.pump(); });
  }
};

std::shared_ptr<ClipChannel> ClipChannel::open(GstWebRTCDataChannel* channel, fs::path clipsFolder,
                                               GMainContext* loop) {
  auto impl = std::make_shared<Impl>();
  impl->channel.reset(GST_WEBRTC_DATA_CHANNEL(g_object_ref(channel)));
  impl->folder = std::move(clipsFolder);
  impl->loop.reset(g_main_context_ref(loop));
  g_object_set(channel, "buffered-amount-low-threshold", kBufferedLow, nullptr);
  auto connect = [&](const char* signal, GCallback handler) {
    impl->handlers.push_back(g_signal_connect_data(
        channel, signal, handler, new std::shared_ptr<Impl>(impl),
        [](gpointer data, GClosure*) { delete static_cast<std::shared_ptr<Impl>*>(data); },
        GConnectFlags{}));
  };
  connect("on-message-string", G_CALLBACK(Impl::onMessageString));
  connect("on-message-data", G_CALLBACK(Impl::onMessageData));
  connect("on-buffered-amount-low", G_CALLBACK(Impl::onBufferedAmountLow));
  return std::shared_ptr<ClipChannel>(new ClipChannel(std::move(impl)));
}

ClipChannel::ClipChannel(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClipChannel::~ClipChannel() { close(); }

void ClipChannel::close() {
  if (!impl_ || impl_->handlers.empty()) return;
  // The handlers hold the Impl: disconnecting them lets it go once queued work has run.
  for (auto id : impl_->handlers) g_signal_handler_disconnect(impl_->channel.get(), id);
  impl_->handlers.clear();
  impl_->onLoop([](Impl& i) {
    i.closed = true;
    i.queue.clear();
    i.remaining = 0;
    i.file = std::ifstream();
  });
}

}  // namespace seccam::camera
