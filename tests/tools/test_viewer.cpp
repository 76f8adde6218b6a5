// seccam-test-viewer: a receiving WebRTC peer for the tests. It signs in over the viewer
// WebSocket with a session cookie, offers recvonly video from GStreamer's webrtcbin, decodes
// what arrives and prints one line per event ("frames N WxH", "latency-ms X", "bye REASON"),
// so that tests can check that real frames of the right size arrive.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "camera/peer/ice_server_uris.hpp"
#include "camera/pipeline/latency_stamp.hpp"
#include "common/crypto.hpp"
#include "common/protocol.hpp"
#include "support/clients.hpp"

namespace {

using namespace seccam;

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr int kFrameReportEvery = 10;
// --no-decode reports often enough for a benchmark to read a frame rate from two reports.
constexpr int kDepayloadedReportEvery = 3;

struct Options {
  std::string server;  // HOST:PORT
  std::string cookie;  // name=value
  std::string username;
  std::string password;
  std::string camera;
  std::string session;
  std::string codec = "h264";
  bool relayOnly = false;
  bool latencyProbe = false;
  bool noDecode = false;     // count depayloaded frames only (benchmarks: small viewer CPU)
  int renegotiateAfter = 0;  // offer again on the same session after this many frames
  int frames = 0;            // exit 0 after this many decoded frames (0: run until stopped)
  int timeoutSeconds = 0;    // exit 1 when not done by then (0: none)
};

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

class Viewer {
 public:
  explicit Viewer(Options o) : options_(std::move(o)) {}

  int run() {
    auto colon = options_.server.rfind(':');
    host_ = options_.server.substr(0, colon);
    port_ = static_cast<unsigned short>(std::stoi(options_.server.substr(colon + 1)));
    std::string origin = "http://" + options_.server;
    if (options_.cookie.empty()) {
      auto login = test::httpRequest(host_, port_, "POST", "/api/login", nlohmannLogin(),
                                     {{"Content-Type", "application/json"}, {"Origin", origin}});
      if (login.status != 200) {
        say("login failed " + std::to_string(login.status));
        return 1;
      }
      options_.cookie = test::cookiePair(login.header("set-cookie"));
    }
    if (!ws_.connect(host_, port_, "/ws", {{"Cookie", options_.cookie}, {"Origin", origin}})) {
      say("websocket refused " + std::to_string(ws_.refusedStatus()));
      return 1;
    }
    auto hello = ws_.receive(std::chrono::seconds(5));
    if (!hello) {
      say("no hello");
      return 1;
    }
    auto parsed = protocol::parseServerToViewer(*hello);
    if (!parsed || !std::holds_alternative<protocol::Hello>(*parsed.message)) {
      say("unexpected first message: " + *hello);
      return 1;
    }
    iceServers_ = std::get<protocol::Hello>(*parsed.message).iceServers;
    say("hello");
    startPipeline();

    auto started = std::chrono::steady_clock::now();
    int exitCode = -1;
    while (exitCode < 0) {
      flushOutbox();
      if (auto text = ws_.receive(kPollInterval)) onMessage(*text, exitCode);
      if (ws_.closed()) {
        say("websocket closed " + std::to_string(ws_.closeCode()));
        exitCode = 1;
      }
      if (options_.renegotiateAfter > 0 && !renegotiated_ && frames_ >= options_.renegotiateAfter) {
        renegotiated_ = true;
        say("renegotiating");
        onNegotiationNeeded(webrtc_, this);
      }
      if (options_.frames > 0 && frames_ >= options_.frames) {
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - firstFrameAt_).count();
        say("done: " + std::to_string(frames_.load()) + " frames in " + std::to_string(seconds) +
            " s");
        exitCode = 0;
      }
      if (options_.timeoutSeconds > 0 && std::chrono::steady_clock::now() - started >
                                             std::chrono::seconds(options_.timeoutSeconds)) {
        say("timeout");
        exitCode = 1;
      }
    }
    // No bye and no pipeline teardown: closing the WebSocket makes the server send the camera
    // its bye, and the exit status must not depend on how fast decoder threads wind down.
    // (WsClient::send waits up to 5 s while a read is pending, so a last send would stall.)
    std::fflush(stdout);
    std::_Exit(exitCode);
  }

 private:
  std::string nlohmannLogin() {
    return "{\"username\":\"" + options_.username + "\",\"password\":\"" + options_.password +
           "\"}";
  }

  void queue(std::string text) {
    std::lock_guard lock(outboxMutex_);
    outbox_.push_back(std::move(text));
  }

  void flushOutbox() {
    std::deque<std::string> pending;
    {
      std::lock_guard lock(outboxMutex_);
      pending.swap(outbox_);
    }
    for (auto& text : pending) ws_.send(text);
  }

  void onMessage(const std::string& text, int& exitCode) {
    auto parsed = protocol::parseServerToViewer(text);
    if (!parsed) {
      say("bad message: " + parsed.error);
      return;
    }
    auto& message = *parsed.message;
    if (auto* answer = std::get_if<protocol::Answer>(&message)) {
      say("answer");
      GstSDPMessage* sdp = nullptr;
      gst_sdp_message_new_from_text(answer->sdp.c_str(), &sdp);
      auto* description = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
      g_signal_emit_by_name(webrtc_, "set-remote-description", description, nullptr);
      gst_webrtc_session_description_free(description);
    } else if (auto* candidate = std::get_if<protocol::Candidate>(&message)) {
      if (candidate->candidate.empty()) return;
      g_signal_emit_by_name(webrtc_, "add-ice-candidate",
                            static_cast<unsigned>(candidate->sdpMLineIndex.value_or(0)),
                            candidate->candidate.c_str());
    } else if (auto* bye = std::get_if<protocol::Bye>(&message)) {
      say("bye " + (bye->reason.empty() ? std::string("-") : bye->reason));
      exitCode = 3;
    } else if (auto* error = std::get_if<protocol::Error>(&message)) {
      say("error " + std::string(protocol::codeName(*error)) + " " + error->message);
    }
  }

  void startPipeline() {
    pipeline_ = gst_pipeline_new("viewer");
    webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
    gst_util_set_object_arg(G_OBJECT(webrtc_), "bundle-policy", "max-bundle");
    if (options_.relayOnly)
      gst_util_set_object_arg(G_OBJECT(webrtc_), "ice-transport-policy", "relay");
    auto uris = camera::toWebrtcbinUris(iceServers_);
    if (!uris.stun.empty())
      g_object_set(webrtc_, "stun-server", uris.stun.front().c_str(), nullptr);
    for (const auto& turn : uris.turn) {
      gboolean added = FALSE;
      g_signal_emit_by_name(webrtc_, "add-turn-server", turn.c_str(), &added);
    }
    say("turn servers " + std::to_string(uris.turn.size()));
    gst_bin_add(GST_BIN(pipeline_), webrtc_);

    GstCaps* caps = nullptr;
    if (options_.codec == "vp8") {
      caps = gst_caps_from_string(
          "application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000");
    } else if (options_.codec == "h264-baseline-only") {
      // An H.264 entry the camera must refuse (profile baseline, not constrained).
      caps = gst_caps_from_string(
          "application/x-rtp,media=video,encoding-name=H264,payload=102,"
          "clock-rate=90000,packetization-mode=(string)1,profile-level-id=(string)42001f");
    } else {
      caps = gst_caps_from_string(
          "application/x-rtp,media=video,encoding-name=H264,payload=102,"
          "clock-rate=90000,packetization-mode=(string)1,profile-level-id=(string)42e01f");
    }
    GstWebRTCRTPTransceiver* transceiver = nullptr;
    g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                          caps, &transceiver);
    if (transceiver) gst_object_unref(transceiver);
    gst_caps_unref(caps);

    g_signal_connect(webrtc_, "on-negotiation-needed", G_CALLBACK(onNegotiationNeeded), this);
    g_signal_connect(webrtc_, "on-ice-candidate", G_CALLBACK(onIceCandidate), this);
    g_signal_connect(webrtc_, "notify::ice-connection-state", G_CALLBACK(onIceConnectionState),
                     this);
    g_signal_connect(webrtc_, "pad-added", G_CALLBACK(onPadAdded), this);
    gst_element_set_state(pipeline_, GST_STATE_PLAYING);
  }

  static void onNegotiationNeeded(GstElement* webrtc, gpointer self) {
    auto* promise = gst_promise_new_with_change_func(onOfferCreated, self, nullptr);
    g_signal_emit_by_name(webrtc, "create-offer", nullptr, promise);
  }

  static void onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer self) {
    auto* v = static_cast<Viewer*>(self);
    protocol::Candidate c{v->options_.session, candidate, std::nullopt, static_cast<int>(mline)};
    v->queue(protocol::serialize(c));
  }

  static void onIceConnectionState(GstElement* webrtc, GParamSpec*, gpointer) {
    GstWebRTCICEConnectionState state{};
    g_object_get(webrtc, "ice-connection-state", &state, nullptr);
    say("ice-state " + std::to_string(static_cast<int>(state)));
  }

  static void onPadAdded(GstElement*, GstPad* pad, gpointer self) {
    static_cast<Viewer*>(self)->onIncomingStream(pad);
  }

  // --no-decode: every buffer out of the depayloader is one frame (an access unit).
  static GstPadProbeReturn countFrame(GstPad*, GstPadProbeInfo*, gpointer self) {
    int count = ++static_cast<Viewer*>(self)->depayloaded_;
    if (count == 1 || count % kDepayloadedReportEvery == 0)
      say("depayloaded " + std::to_string(count));
    return GST_PAD_PROBE_OK;
  }

  static void onOfferCreated(GstPromise* promise, gpointer self) {
    auto* v = static_cast<Viewer*>(self);
    gst_promise_wait(promise);
    GstWebRTCSessionDescription* offer = nullptr;
    gst_structure_get(gst_promise_get_reply(promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                      &offer, nullptr);
    gst_promise_unref(promise);
    if (!offer) {
      say("no offer created");
      return;
    }
    g_signal_emit_by_name(v->webrtc_, "set-local-description", offer, nullptr);
    gchar* text = gst_sdp_message_as_text(offer->sdp);
    protocol::Offer message{v->options_.session, v->options_.camera, text, {}};
    g_free(text);
    gst_webrtc_session_description_free(offer);
    // Only the first offer starts the clock of "first-frame-ms".
    if (!v->offerSent_.exchange(true)) v->offerSentAt_ = std::chrono::steady_clock::now();
    v->queue(protocol::serialize(message));
    say("offer sent");
  }

  void onIncomingStream(GstPad* pad) {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
    std::string encoding = "H264";
    if (GstCaps* caps = gst_pad_get_current_caps(pad)) {
      const gchar* name =
          gst_structure_get_string(gst_caps_get_structure(caps, 0), "encoding-name");
      if (name) encoding = name;
      gst_caps_unref(caps);
    }
    if (options_.noDecode) {
      // Depayload only: whole frames are counted while the viewer's own CPU stays small.
      GstElement* depay =
          gst_element_factory_make(encoding == "VP8" ? "rtpvp8depay" : "rtph264depay", nullptr);
      GstElement* sink = gst_element_factory_make("fakesink", nullptr);
      g_object_set(sink, "sync", FALSE, nullptr);
      gst_bin_add_many(GST_BIN(pipeline_), depay, sink, nullptr);
      gst_element_link(depay, sink);
      gst_element_sync_state_with_parent(sink);
      gst_element_sync_state_with_parent(depay);
      GstPad* sinkPad = gst_element_get_static_pad(sink, "sink");
      gst_pad_add_probe(sinkPad, GST_PAD_PROBE_TYPE_BUFFER, countFrame, this, nullptr);
      gst_object_unref(sinkPad);
      GstPad* depaySink = gst_element_get_static_pad(depay, "sink");
      gst_pad_link(pad, depaySink);
      gst_object_unref(depaySink);
      return;
    }
    GError* error = nullptr;
    std::string depayAndDecode =
        encoding == "VP8" ? "rtpvp8depay ! vp8dec" : "rtph264depay ! avdec_h264";
    say("incoming " + encoding);
    GstElement* decode = gst_parse_bin_from_description(
        (depayAndDecode +
         " ! videoconvert ! video/x-raw,format=I420 ! appsink name=frames sync=false")
            .c_str(),
        TRUE, &error);
    if (!decode) {
      say(std::string("cannot build the decoder: ") + (error ? error->message : "?"));
      return;
    }
    GstElement* sink = gst_bin_get_by_name(GST_BIN(decode), "frames");
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = [](GstAppSink* appsink, gpointer self) {
      static_cast<Viewer*>(self)->onFrame(appsink);
      return GST_FLOW_OK;
    };
    gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, this, nullptr);
    gst_object_unref(sink);
    gst_bin_add(GST_BIN(pipeline_), decode);
    gst_element_sync_state_with_parent(decode);
    GstPad* sinkPad = gst_element_get_static_pad(decode, "sink");
    GstPadLinkReturn linked = gst_pad_link(pad, sinkPad);
    gst_object_unref(sinkPad);
    say("incoming stream " + std::string(GST_PAD_NAME(pad)) +
        (linked == GST_PAD_LINK_OK ? " decoding"
                                   : " NOT linked: " + std::to_string(static_cast<int>(linked)) +
                                         (sinkPad ? "" : " no sink pad")));
  }

  void onFrame(GstAppSink* appsink) {
    GstSample* sample = gst_app_sink_pull_sample(appsink);
    if (!sample) return;
    GstVideoInfo info;
    gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
    int count = ++frames_;
    if (count == 1) {
      firstFrameAt_ = std::chrono::steady_clock::now();
      // From the offer to the first decoded frame (what a user waits for).
      say("first-frame-ms " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 firstFrameAt_ - offerSentAt_)
                                                 .count()));
    }
    if (count == 1 || count % kFrameReportEvery == 0) {
      say("frames " + std::to_string(count) + " " + std::to_string(GST_VIDEO_INFO_WIDTH(&info)) +
          "x" + std::to_string(GST_VIDEO_INFO_HEIGHT(&info)));
      if (options_.latencyProbe) {
        GstVideoFrame frame;
        if (gst_video_frame_map(&frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
          auto stamp = camera::readLatencyStamp(
              static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
              GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0), GST_VIDEO_FRAME_WIDTH(&frame),
              GST_VIDEO_FRAME_HEIGHT(&frame));
          gst_video_frame_unmap(&frame);
          auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
          if (stamp)
            say("latency-ms " + std::to_string(now - static_cast<long long>(*stamp)) + " stamp " +
                std::to_string(*stamp));
          else
            say("latency-stamp unreadable");
        }
      }
    }
    gst_sample_unref(sample);
  }

  Options options_;
  std::string host_;
  unsigned short port_ = 0;
  test::WsClient ws_;
  std::vector<protocol::IceServer> iceServers_;
  GstElement* pipeline_ = nullptr;
  GstElement* webrtc_ = nullptr;
  std::mutex outboxMutex_;
  std::deque<std::string> outbox_;
  std::atomic<int> frames_{0};
  std::atomic<int> depayloaded_{0};
  bool renegotiated_ = false;
  std::chrono::steady_clock::time_point firstFrameAt_ = std::chrono::steady_clock::now();
  std::atomic<bool> offerSent_{false};
  std::chrono::steady_clock::time_point offerSentAt_ = std::chrono::steady_clock::now();
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"seccam-test-viewer: a recvonly WebRTC peer for the tests"};
  app.add_option("--server", options.server, "seccam-server HOST:PORT")->required();
  app.add_option("--cookie", options.cookie,
                 "session cookie name=value (else --username/--password)");
  app.add_option("--username", options.username, "sign in with this account");
  app.add_option("--password", options.password, "its password");
  app.add_option("--camera", options.camera, "camera ID to watch")->required();
  app.add_option("--session", options.session, "session ID (default: random)");
  app.add_option("--codec", options.codec,
                 "h264 | vp8 | h264-baseline-only (what the offer allows)");
  app.add_flag("--relay-only", options.relayOnly, "use TURN relay candidates only");
  app.add_flag("--latency-probe", options.latencyProbe, "read the latency probe stamp from frames");
  app.add_option("--renegotiate-after", options.renegotiateAfter,
                 "send a second offer on the same session after this many frames");
  app.add_flag("--no-decode", options.noDecode,
               "count depayloaded frames (\"depayloaded N\") instead of decoding");
  app.add_option("--frames", options.frames, "exit 0 after this many decoded frames");
  app.add_option("--timeout", options.timeoutSeconds, "exit 1 after this many seconds");
  CLI11_PARSE(app, argc, argv);
  gst_init(&argc, &argv);
  crypto::initialize();
  if (options.session.empty()) options.session = "tv" + crypto::toHex(crypto::randomBytes(8));
  say("session " + options.session);
  return Viewer(options).run();
}
