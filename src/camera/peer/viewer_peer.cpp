// One viewer's WebRTC session: see viewer_peer.hpp.
#include "camera/peer/viewer_peer.hpp"

#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "camera/agent_events.hpp"
#include "camera/clips/clip_channel.hpp"
#include "camera/gst/gst_handles.hpp"
#include "camera/peer/ice_server_uris.hpp"
#include "camera/peer/playout_delay_extension.hpp"
#include "camera/peer/rtcp_feedback.hpp"
#include "camera/pipeline/media_pipeline.hpp"

namespace seccam::camera {

namespace {
using Clock = std::chrono::steady_clock;
// Frames waiting for one viewer's network: a slow viewer loses frames, the others do not wait.
constexpr int kViewerQueueBuffers = 60;
// A viewer that leaves before gathering finished: how long its ICE agent waits for TURN
// allocations still in flight before it is closed a second time (coturn answers in well under
// this on any network the camera can stream over).
constexpr guint kLateAllocationGraceMs = 500;

std::optional<IceState> toIceState(GstWebRTCICEConnectionState state) {
  switch (state) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW:
      return IceState::New;
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING:
      return IceState::Checking;
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
      return IceState::Connected;
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
      return IceState::Completed;
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
      return IceState::Failed;
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
      return IceState::Disconnected;
    case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED:
      return IceState::Closed;
  }
  return std::nullopt;
}

// The answer's video is inactive: webrtcbin matched none of the offer's codecs with ours.
bool videoInactive(const GstSDPMessage* sdp) {
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp, i);
    if (g_strcmp0(gst_sdp_media_get_media(media), "video") != 0) continue;
    // A flag attribute: only its key is set, so look for the key (not for a value).
    for (guint j = 0; j < gst_sdp_media_attributes_len(media); ++j) {
      if (g_strcmp0(gst_sdp_media_get_attribute(media, j)->key, "inactive") == 0) return true;
    }
  }
  return false;
}

// The error a webrtcbin promise was answered with, if any.
std::string promiseError(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return "no reply";
  const GstStructure* reply = gst_promise_get_reply(promise);
  if (reply && gst_structure_has_field(reply, "error")) {
    GError* raw = nullptr;
    gst_structure_get(reply, "error", G_TYPE_ERROR, &raw, nullptr);
    gst::ErrorPtr error(raw);
    return error ? error->message : "error";
  }
  return "";
}

using DescriptionPtr =
    std::unique_ptr<GstWebRTCSessionDescription, gst::Deleter<gst_webrtc_session_description_free>>;

// How old a packet must be before a probe sends copies of it (see sendProbeCopies).
constexpr auto kProbeCopyAge = std::chrono::milliseconds(150);
// Copies come from this many of the newest packets (rtprtxsend keeps the last 100).
constexpr std::size_t kProbeCopyDepth = 90;
// Marks the probe's own requests, which the retransmission filter lets through.
constexpr const char* kProbeRequestField = "seccam-probe";

// GLib user data that owns a reference to the peer: a signal handler or promise callback that
// webrtcbin's threads are still running (or run late) never finds the peer freed.
using PeerRef = std::shared_ptr<ViewerPeer>;
void* newPeerRef(ViewerPeer& peer) { return new PeerRef(peer.shared_from_this()); }
void deletePeerRef(void* data) { delete static_cast<PeerRef*>(data); }
void deletePeerRefClosure(void* data, GClosure*) { deletePeerRef(data); }
// A copy: the callback keeps the peer even when it drops the promise that held the original.
PeerRef peerOf(void* data) { return *static_cast<PeerRef*>(data); }

// Runs `work` on the GLib thread that owns `context` (at once when that is this thread).
void onLoopThread(GMainContext* context, std::function<void()> work) {
  using Work = std::function<void()>;
  g_main_context_invoke_full(
      context, G_PRIORITY_DEFAULT,
      [](gpointer data) -> gboolean {
        (*static_cast<Work*>(data))();
        return G_SOURCE_REMOVE;
      },
      new Work(std::move(work)), [](gpointer data) { delete static_cast<Work*>(data); });
}

// A viewer moving to another rendition: waits on the new input-selector pad for the first
// buffer that is not a delta unit and makes the pad the active one before that buffer passes,
// so the payloader's first frame of the new rendition is a key frame.
struct SwitchProbe {
  gst::MainContextPtr loopContext;
  std::function<void()> activated;  // on the streaming thread, as the key frame goes through
  std::function<void()> switched;   // runs on the loop thread
};

GstPadProbeReturn activateOnKeyFrame(GstPad* pad, GstPadProbeInfo* info, gpointer data) {
  GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!buffer || GST_BUFFER_FLAG_IS_SET(buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_OK;  // not active yet: the selector drops it
  auto* probe = static_cast<SwitchProbe*>(data);
  gst::ElementPtr selector(GST_ELEMENT(gst_pad_get_parent(pad)));
  if (selector) g_object_set(selector.get(), "active-pad", pad, nullptr);
  probe->activated();
  onLoopThread(probe->loopContext.get(), probe->switched);
  return GST_PAD_PROBE_REMOVE;
}

gst::CapsPtr codecPreferenceCaps(const CodecChoice& choice, guint ssrc) {
  gst::CapsPtr caps;
  if (choice.codec == VideoCodec::Vp8) {
    caps.reset(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video",
                                   "encoding-name", G_TYPE_STRING, "VP8", "clock-rate", G_TYPE_INT,
                                   90000, "payload", G_TYPE_INT, choice.payloadType, nullptr));
  } else {
    caps.reset(gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video",
                                   "encoding-name", G_TYPE_STRING, "H264", "clock-rate", G_TYPE_INT,
                                   90000, "payload", G_TYPE_INT, choice.payloadType,
                                   "packetization-mode", G_TYPE_STRING, "1", "profile-level-id",
                                   G_TYPE_STRING, choice.profileLevelId.c_str(), nullptr));
  }
  // With retransmissions, webrtcbin's answer pairs the media SSRC with its rtx SSRC
  // (a=ssrc-group:FID) and takes the media one from these caps: without it the group says
  // "FID 0 …" and Chromium plays nothing.
  if (ssrc != 0) gst_caps_set_simple(caps.get(), "ssrc", G_TYPE_UINT, ssrc, nullptr);
  // The answer carries the extension (webrtcbin takes extmap-N from the preferences).
  if (choice.playoutDelayExtensionId > 0) {
    std::string field = "extmap-" + std::to_string(choice.playoutDelayExtensionId);
    gst_caps_set_simple(caps.get(), field.c_str(), G_TYPE_STRING, kPlayoutDelayExtensionUri,
                        nullptr);
  }
  return caps;
}
}  // namespace

ViewerPeer::ViewerPeer(std::string session, std::string offerSdp,
                       std::vector<protocol::IceServer> iceServers, CodecChoice choice,
                       Events events)
    : session_(std::move(session)),
      offerSdp_(std::move(offerSdp)),
      iceServers_(std::move(iceServers)),
      choice_(std::move(choice)),
      events_(std::move(events)) {}

// The feeds, bin_ and webrtc_ are owning wrappers; finishClose() has given the branch back.
ViewerPeer::~ViewerPeer() = default;

void ViewerPeer::fail(protocol::ByeReason reason, const std::string& detail) {
  if (closed_ || failed_.exchange(true)) return;
  if (events_.onFailed) events_.onFailed(reason, detail);
}

void ViewerPeer::start(std::shared_ptr<MediaPipeline> mediaPipeline) {
  if (closed_) return;
  if (!mediaPipeline) {
    fail(protocol::ByeReason::Internal, "the media pipeline is not running");
    return;
  }
  // The boundary for a viewer that cannot be served (e.g. a missing GStreamer plugin): its
  // session ends with `internal`, the camera and its other viewers go on.
  try {
    attach(std::move(mediaPipeline));
  } catch (const std::exception& e) {
    abandonStart();
    fail(protocol::ByeReason::Internal, e.what());
  }
}

void ViewerPeer::attach(std::shared_ptr<MediaPipeline> mediaPipeline) {
  media_ = std::move(mediaPipeline);
  MediaPipeline& media = *media_;
  GstSDPMessage* parsed = nullptr;
  if (gst_sdp_message_new_from_text(offerSdp_.c_str(), &parsed) != GST_SDP_OK || !parsed) {
    fail(protocol::ByeReason::BadSdp, "the offer SDP could not be parsed");
    return;
  }
  DescriptionPtr offer(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, parsed));

  // A pass-through source with instant start: the encoded full rendition first (a key frame
  // at once), then the pass-through from the IP camera's next key frame.
  FeedOrigin startOrigin =
      media.startsEncoded() ? FeedOrigin::Encoded : media.originOf(Rendition::Full);
  if (!media.canServe(choice_.codec, Rendition::Full, startOrigin)) {
    media_.reset();
    fail(protocol::ByeReason::UnsupportedCodec,
         std::string("this camera cannot send ") + videoCodecName(choice_.codec));
    return;
  }
  loopContext_.reset(g_main_context_ref_thread_default());
  if (media.hasLadder()) {
    // Probes are retransmissions: only a viewer that takes them can be probed.
    RenditionSettings settings;
    settings.canProbe = choice_.rtxPayloadType > 0;
    controller_ = std::make_unique<RenditionController>(Clock::now(), settings);
  }
  // Built before it touches the shared pipeline, so a missing element leaves nothing behind.
  buildBranch();

  auto connect = [this](const char* signal, GCallback handler) {
    signalHandlers_.push_back(g_signal_connect_data(
        webrtc_.get(), signal, handler, newPeerRef(*this), deletePeerRefClosure, GConnectFlags{}));
  };
  connect("on-ice-candidate", G_CALLBACK(onIceCandidate));
  connect("notify::ice-connection-state", G_CALLBACK(onIceConnectionStateChanged));
  connect("notify::ice-gathering-state", G_CALLBACK(onIceGatheringStateChanged));
  if (!clipsFolder_.empty()) connect("on-data-channel", G_CALLBACK(onDataChannel));

  gst_bin_add(GST_BIN(media.pipeline()), bin_.get());
  // PLAYING before linking: a tee pushing into a branch still in NULL gets FLUSHING back,
  // which would stop the encoder's thread and every other viewer with it.
  gst_element_sync_state_with_parent(bin_.get());
  feed_ = openFeed(Rendition::Full, startOrigin);
  if (!feed_) {
    abandonStart();
    fail(protocol::ByeReason::Internal,
         std::string("the ") + videoCodecName(choice_.codec) + " encoder could not be started");
    return;
  }
  g_object_set(selector_.get(), "active-pad", feed_->selectorPad.get(), nullptr);
  setRetransmissionBudget();

  GstPromise* promise =
      gst_promise_new_with_change_func(onRemoteDescriptionSet, newPeerRef(*this), deletePeerRef);
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", offer.get(), promise);
  media.requestKeyFrame(feed_->teePad.get());
  if (startOrigin != media.originOf(Rendition::Full)) switchTo(Rendition::Full);
}

std::optional<ViewerPeer::Feed> ViewerPeer::openFeed(Rendition rendition, FeedOrigin origin) {
  gst::PadPtr teePad = media_->attachViewer(choice_.codec, rendition, origin);
  if (!teePad) return std::nullopt;
  Feed feed;
  feed.rendition = rendition;
  feed.origin = origin;
  feed.teePad = std::move(teePad);
  feed.selectorPad.reset(gst_element_request_pad_simple(selector_.get(), "sink_%u"));
  std::string name = "in_" + std::to_string(feedsMade_++);
  feed.ghost = gst_ghost_pad_new(name.c_str(), feed.selectorPad.get());
  gst_pad_set_active(feed.ghost, TRUE);
  gst_element_add_pad(bin_.get(), feed.ghost);  // the bin owns it from here
  gst_pad_link(feed.teePad.get(), feed.ghost);
  return feed;
}

void ViewerPeer::removeFeed(Feed& feed) {
  gst_pad_unlink(feed.teePad.get(), feed.ghost);
  media_->detachViewer(choice_.codec, feed.rendition, feed.origin, feed.teePad.get());
  feed.teePad.reset();
  gst_pad_set_active(feed.ghost, FALSE);
  gst_element_remove_pad(bin_.get(), feed.ghost);
  gst_element_release_request_pad(selector_.get(), feed.selectorPad.get());
  feed.selectorPad.reset();
}

void ViewerPeer::unlinkFeeds() {
  for (auto* feed : {&feed_, &pending_}) {
    if (!*feed) continue;
    if ((*feed)->teePad) {
      gst_pad_unlink((*feed)->teePad.get(), (*feed)->ghost);
      media_->detachViewer(choice_.codec, (*feed)->rendition, (*feed)->origin,
                           (*feed)->teePad.get());
    }
    feed->reset();
  }
}

void ViewerPeer::switchTo(Rendition rendition) {
  if (closed_ || !bin_ || !media_ || !feed_) return;
  wanted_ = rendition;
  FeedOrigin origin = media_->originOf(rendition);
  if (pending_) {
    // One move at a time: the one under way finishes, then this choice is taken up.
    if (pending_->rendition == rendition) media_->requestKeyFrame(pending_->teePad.get());
    return;
  }
  if (feed_->rendition == rendition && feed_->origin == origin) return;
  auto next = openFeed(rendition, origin);
  if (!next) {
    spdlog::warn("session {}: the {} rendition cannot be served", session_,
                 renditionName(rendition));
    return;
  }
  unsigned generation = ++switchGeneration_;
  std::weak_ptr<ViewerPeer> weak = weak_from_this();
  auto* probe = new SwitchProbe{gst::MainContextPtr(g_main_context_ref(loopContext_.get())),
                                [weak] {
                                  if (auto peer = weak.lock()) peer->markFeedStart();
                                },
                                [weak, generation] {
                                  if (auto peer = weak.lock()) peer->finishSwitch(generation);
                                }};
  gst_pad_add_probe(next->selectorPad.get(), GST_PAD_PROBE_TYPE_BUFFER, activateOnKeyFrame, probe,
                    [](gpointer data) { delete static_cast<SwitchProbe*>(data); });
  pending_ = std::move(next);
  media_->requestKeyFrame(pending_->teePad.get());
}

void ViewerPeer::finishSwitch(unsigned generation) {
  if (closed_ || !pending_ || generation != switchGeneration_) return;
  Feed old = std::move(*feed_);
  feed_ = std::move(pending_);
  pending_.reset();
  removeFeed(old);
  setRetransmissionBudget();
  auto size = media_->renditionSize(feed_->rendition);
  const char* origin = feed_->origin == FeedOrigin::PassThrough ? "pass-through" : "encoded";
  spdlog::info("session {}: moved to the {} rendition, {} ({}x{})", session_,
               renditionName(feed_->rendition), origin, size.width, size.height);
  event_log::emit(event_log::Kind::FeedChanged,
                  {{"session", session_},
                   {"rendition", std::string(renditionName(feed_->rendition))},
                   {"origin", std::string(origin)}});
  // The viewer hears of a change of picture, not of where the same picture comes from.
  if (events_.onRendition && old.rendition != feed_->rendition)
    events_.onRendition(feed_->rendition, size.width, size.height);
  if (wanted_ != feed_->rendition || feed_->origin != media_->originOf(wanted_)) switchTo(wanted_);
}

void ViewerPeer::hookRtcp() {
  // Every RTCP packet the viewer sends reaches the RTP session of the bundle (session 0).
  gst::ElementPtr rtpbin(gst_bin_get_by_name(GST_BIN(webrtc_.get()), "rtpbin"));
  if (!rtpbin) return;
  GObject* session = nullptr;
  g_signal_emit_by_name(rtpbin.get(), "get-internal-session", 0u, &session);
  if (!session) return;
  rtpSession_.reset(session);
  rtcpHandler_ = g_signal_connect_data(session, "on-receiving-rtcp", G_CALLBACK(onReceivingRtcp),
                                       newPeerRef(*this), deletePeerRefClosure, GConnectFlags{});
}

void ViewerPeer::onReceivingRtcp(GObject*, GstBuffer* buffer, void* self) {
  PeerRef peer = peerOf(self);
  if (peer->closed_ || !peer->controller_) return;
  auto report = receiverReportFor(buffer, peer->ssrc_, Clock::now(), g_get_real_time());
  int nacked = nackedPacketsFor(buffer, peer->ssrc_);
  if (!report && nacked == 0) return;
  std::weak_ptr<ViewerPeer> weak = peer;
  onLoopThread(peer->loopContext_.get(), [weak, report, nacked] {
    auto p = weak.lock();
    if (!p || p->closed_ || !p->controller_) return;
    if (p->controller_->onNacks(nacked, Clock::now())) {
      spdlog::info("session {}: NACKs ended the probe", p->session_);
      p->stopProbe();
    }
    if (report) p->onReport(*report);
  });
}

void ViewerPeer::onReport(const ReceiverReport& report) {
  if (closed_ || !controller_) return;
  bool wasProbing = controller_->probing();
  auto command = controller_->onReport(report);
  if (wasProbing && !controller_->probing()) {
    const auto& probe = controller_->lastProbe();
    spdlog::info("session {}: the link {} the probe ({} packets expected, {} lost, {} NACKed)",
                 session_,
                 probe.carried ? "carried " + std::string(renditionName(probe.reached)) + " in"
                               : std::string("did not carry"),
                 probe.expected, probe.lost, probe.nacked);
  }
  if (!command) return;
  if (command->kind == RenditionCommand::Kind::Switch) {
    switchTo(command->rendition);
  } else {
    spdlog::info("session {}: probing for the {} rendition", session_,
                 renditionName(command->rendition));
    startProbe(command->rendition);
  }
}

void ViewerPeer::notePacketSent(GstBuffer* rtp) {
  GstRTPBuffer buffer = GST_RTP_BUFFER_INIT;
  if (!gst_rtp_buffer_map(rtp, GST_MAP_READ, &buffer)) return;
  SentHistory::Packet packet{gst_rtp_buffer_get_seq(&buffer),
                             static_cast<std::uint32_t>(gst_buffer_get_size(rtp)), Clock::now()};
  gst_rtp_buffer_unmap(&buffer);
  std::lock_guard lock(sentMutex_);
  sent_.noteSent(packet);
}

void ViewerPeer::markFeedStart() {
  std::lock_guard lock(sentMutex_);
  sent_.markRenditionStart();
}

void ViewerPeer::setRetransmissionBudget() {
  std::lock_guard lock(sentMutex_);
  sent_.setRenditionBitrate(media_->renditionKbps(feed_->rendition), Clock::now());
}

bool ViewerPeer::allowRetransmission(std::uint16_t seq) {
  std::lock_guard lock(sentMutex_);
  return sent_.allowRetransmission(seq, Clock::now());
}

bool ViewerPeer::sendProbeCopies() {
  std::vector<std::uint16_t> probeSeqs;
  gst::PadPtr rtxSend;
  {
    std::lock_guard lock(sentMutex_);
    auto now = Clock::now();
    if (closed_ || probeExtraBytesPerSecond_ <= 0 || !rtxSendSrc_ || now >= probeUntil_) {
      probeExtraBytesPerSecond_ = 0;
      return false;
    }
    probeCredit_ +=
        probeExtraBytesPerSecond_ * std::chrono::duration<double>(now - probeTick_).count();
    probeTick_ = now;
    // Copies of packets sent lately, as many bytes as the time since the last tick earns: the
    // browser drops the copies it has. Never of the newest packets: a copy of a media packet
    // the bottleneck just dropped would repair it before the browser missed it, and the probe
    // would hide the very losses it is there to cause. A packet sent kProbeCopyAge ago that is
    // missing has been NACKed already.
    probeSeqs = sent_.probeCopies(probeCredit_, now, kProbeCopyAge, kProbeCopyDepth);
    if (!probeSeqs.empty()) rtxSend = gst::ref(rtxSendSrc_.get());
  }
  for (std::uint16_t seq : probeSeqs) {
    GstStructure* request = gst_structure_new("GstRTPRetransmissionRequest", "seqnum", G_TYPE_UINT,
                                              guint{seq}, "ssrc", G_TYPE_UINT, guint{ssrc_},
                                              kProbeRequestField, G_TYPE_BOOLEAN, TRUE, nullptr);
    gst_pad_send_event(rtxSend.get(), gst_event_new_custom(GST_EVENT_CUSTOM_UPSTREAM, request));
  }
  return true;
}

void ViewerPeer::stopProbe() {
  {
    std::lock_guard lock(sentMutex_);
    probeExtraBytesPerSecond_ = 0;
  }
}

gst::PadPtr ViewerPeer::findRtxSendSrc() {
  gst::PadPtr rtxSend;
  // webrtcbin made one rtprtxsend for the retransmissions it answered in the SDP.
  gst::IteratorPtr it(gst_bin_iterate_recurse(GST_BIN(webrtc_.get())));
  GValue item = G_VALUE_INIT;
  while (!rtxSend && gst_iterator_next(it.get(), &item) == GST_ITERATOR_OK) {
    auto* element = GST_ELEMENT(g_value_get_object(&item));
    GstElementFactory* factory = gst_element_get_factory(element);
    if (factory && g_strcmp0(GST_OBJECT_NAME(factory), "rtprtxsend") == 0)
      rtxSend.reset(gst_element_get_static_pad(element, "src"));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  return rtxSend;
}

void ViewerPeer::hookRetransmissions() {
  gst::PadPtr rtxSend = findRtxSendSrc();
  if (!rtxSend) return;
  // Requests come upstream from the RTP session (the viewer's NACKs) and from our probes. The
  // probe data is a plain pointer: the probe goes with webrtcbin, which this peer owns.
  gst_pad_add_probe(
      rtxSend.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer self) {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (GST_EVENT_TYPE(event) != GST_EVENT_CUSTOM_UPSTREAM) return GST_PAD_PROBE_OK;
        const GstStructure* request = gst_event_get_structure(event);
        guint seq = 0;
        if (!gst_structure_has_name(request, "GstRTPRetransmissionRequest") ||
            gst_structure_has_field(request, kProbeRequestField) ||
            !gst_structure_get_uint(request, "seqnum", &seq))
          return GST_PAD_PROBE_OK;
        auto* peer = static_cast<ViewerPeer*>(self);
        return peer->allowRetransmission(static_cast<std::uint16_t>(seq)) ? GST_PAD_PROBE_OK
                                                                          : GST_PAD_PROBE_DROP;
      },
      this, nullptr);
}

void ViewerPeer::startProbe(Rendition target) {
  if (closed_ || !webrtc_ || !feed_) return;
  gst::PadPtr rtxSend = findRtxSendSrc();
  // The probe brings what the viewer gets up to the higher rendition's bitrate: the encoders
  // aim at theirs, and a quiet picture stays well below it, so the current rate is measured.
  double sentBytesPerSecond = 0;
  {
    std::lock_guard lock(sentMutex_);
    sentBytesPerSecond = sent_.bytesSince(Clock::now() - std::chrono::seconds(1));
  }
  double targetBytesPerSecond =
      media_->renditionKbps(target) * 1000.0 / 8 * controller_->probeOvershoot(target);
  if (!rtxSend || sentBytesPerSecond <= 0) {
    // Nothing to probe with, or nothing flowing to measure the rate by: no step up this time.
    controller_->abandonProbe(Clock::now());
    stopProbe();
    return;
  }
  // A busy picture may send this much already: the phase then passes on the media alone.
  if (targetBytesPerSecond <= sentBytesPerSecond) return;
  {
    std::lock_guard lock(sentMutex_);
    bool underWay = probeExtraBytesPerSecond_ > 0;
    rtxSendSrc_ = std::move(rtxSend);
    probeExtraBytesPerSecond_ = targetBytesPerSecond - sentBytesPerSecond;
    probeUntil_ = Clock::now() + controller_->settings().probeLength;
    if (underWay) return;  // the next phase of a probe: its timer goes on at the new rate
    probeCredit_ = 0;
    probeTick_ = Clock::now();
  }
  // Every 5 ms: copies spread that evenly leave a bottleneck's bucket no room to let the media
  // packets through whole while dropping only copies.
  GSource* timer = g_timeout_source_new(5);
  g_source_set_callback(
      timer,
      [](void* data) -> gboolean {
        auto peer = static_cast<std::weak_ptr<ViewerPeer>*>(data)->lock();
        return peer && peer->sendProbeCopies() ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
      },
      new std::weak_ptr<ViewerPeer>(weak_from_this()),
      [](void* data) { delete static_cast<std::weak_ptr<ViewerPeer>*>(data); });
  g_source_attach(timer, loopContext_.get());
  g_source_unref(timer);
}

void ViewerPeer::buildBranch() {
  // The branch: input-selector (one sink pad per rendition feeding it) → leaky queue →
  // payloader with the offer's payload type → webrtcbin.
  std::string binName = "webrtc-" + session_;
  bin_ = gst::sink(gst_bin_new(binName.c_str()));
  // The viewer's own state changes stay inside its bin: a joining viewer must never make
  // the shared pipeline lose its PLAYING state (which would stall every other viewer).
  g_object_set(bin_.get(), "async-handling", TRUE, nullptr);
  selector_ = gst::makeElement("input-selector", "selector");
  // An inactive pad's buffers are dropped at once: never held back to wait for the active
  // one, which would stall that rendition's encoder for every viewer on it.
  g_object_set(selector_.get(), "sync-streams", FALSE, "cache-buffers", FALSE, nullptr);
  auto queue = gst::makeElement("queue");
  g_object_set(queue.get(), "max-size-buffers", kViewerQueueBuffers, "max-size-bytes", 0,
               "max-size-time", guint64(0), nullptr);
  gst_util_set_object_arg(G_OBJECT(queue.get()), "leaky", "downstream");
  gst::ElementPtr payloader;
  if (choice_.codec == VideoCodec::H264) {
    payloader = gst::makeElement("rtph264pay");
    g_object_set(payloader.get(), "config-interval", -1, nullptr);
    gst_util_set_object_arg(G_OBJECT(payloader.get()), "aggregate-mode", "zero-latency");
  } else {
    payloader = gst::makeElement("rtpvp8pay");
    gst_util_set_object_arg(G_OBJECT(payloader.get()), "picture-id-mode", "15-bit");
  }
  g_object_set(payloader.get(), "pt", choice_.payloadType, nullptr);
  // Our SSRC, to find the viewer's reports about it; with retransmissions the answer
  // announces it too (codecPreferenceCaps), and it must be the one the payloader uses.
  while (ssrc_ == 0) ssrc_ = g_random_int();
  g_object_set(payloader.get(), "ssrc", ssrc_, nullptr);
  guint announcedSsrc = choice_.rtxPayloadType > 0 ? ssrc_ : 0;
  if (choice_.playoutDelayExtensionId > 0) {
    gst::ObjectPtr<GstRTPHeaderExtension> extension(
        newZeroPlayoutDelayExtension(choice_.playoutDelayExtensionId));
    g_signal_emit_by_name(payloader.get(), "add-extension", extension.get());
  }
  // Every packet the payloader sends is noted (sequence number, size) for probes and the
  // retransmission filter, when the viewer takes retransmissions at all. The probe data is a
  // plain pointer: the probe goes with the payloader, which this peer owns.
  gst::PadPtr sentPad(gst_element_get_static_pad(payloader.get(), "src"));
  if (choice_.rtxPayloadType > 0)
    gst_pad_add_probe(
        sentPad.get(), GstPadProbeType(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST),
        [](GstPad*, GstPadProbeInfo* info, gpointer self) {
          auto* peer = static_cast<ViewerPeer*>(self);
          if (GST_PAD_PROBE_INFO_TYPE(info) & GST_PAD_PROBE_TYPE_BUFFER_LIST) {
            GstBufferList* list = GST_PAD_PROBE_INFO_BUFFER_LIST(info);
            for (guint i = 0; i < gst_buffer_list_length(list); ++i)
              peer->notePacketSent(gst_buffer_list_get(list, i));
          } else {
            peer->notePacketSent(GST_PAD_PROBE_INFO_BUFFER(info));
          }
          return GST_PAD_PROBE_OK;
        },
        this, nullptr);
  webrtc_ = gst::makeElement("webrtcbin", "webrtcbin");
  gst_util_set_object_arg(G_OBJECT(webrtc_.get()), "bundle-policy", "max-bundle");
  gst_bin_add_many(GST_BIN(bin_.get()), selector_.get(), queue.get(), payloader.get(),
                   webrtc_.get(), nullptr);
  gst_element_link_many(selector_.get(), queue.get(), payloader.get(), nullptr);

  // ICE servers for this session (STUN and TURN, so relay-only browsers work).
  auto uris = toWebrtcbinUris(iceServers_);
  if (!uris.stun.empty())
    g_object_set(webrtc_.get(), "stun-server", uris.stun.front().c_str(), nullptr);
  for (const auto& turn : uris.turn) {
    gboolean added = FALSE;
    g_signal_emit_by_name(webrtc_.get(), "add-turn-server", turn.c_str(), &added);
    if (!added) spdlog::warn("session {}: a TURN server was refused by webrtcbin", session_);
  }

  gst::PadPtr webrtcSink(gst_element_request_pad_simple(webrtc_.get(), "sink_%u"));
  gst::PadPtr payloaderSrc(gst_element_get_static_pad(payloader.get(), "src"));
  gst_pad_link(payloaderSrc.get(), webrtcSink.get());
  GstWebRTCRTPTransceiver* rawTransceiver = nullptr;
  g_object_get(webrtcSink.get(), "transceiver", &rawTransceiver, nullptr);
  gst::ObjectPtr<GstWebRTCRTPTransceiver> transceiver(rawTransceiver);
  if (transceiver) {
    // Before set-remote-description, so the offer's m-line matches this transceiver.
    auto caps = codecPreferenceCaps(choice_, announcedSsrc);
    g_object_set(transceiver.get(), "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                 "codec-preferences", caps.get(), nullptr);
    // Retransmissions (RFC 4588) when the offer has an rtx type for our payload type: with
    // do-nack, webrtcbin answers the offer's `rtx` entry (apt=our type) and `rtcp-fb nack`,
    // and its rtprtxsend resends the packets a NACK asks for from its history.
    if (choice_.rtxPayloadType > 0) g_object_set(transceiver.get(), "do-nack", TRUE, nullptr);
  }
}

void ViewerPeer::abandonStart() {
  for (auto id : signalHandlers_) g_signal_handler_disconnect(webrtc_.get(), id);
  signalHandlers_.clear();
  if (bin_) {
    gst_element_set_state(bin_.get(), GST_STATE_NULL);
    if (media_ && GST_OBJECT_PARENT(bin_.get()))
      gst_bin_remove(GST_BIN(media_->pipeline()), bin_.get());
  }
  if (media_) unlinkFeeds();
  webrtc_.reset();
  selector_.reset();
  bin_.reset();
  media_.reset();
  event_log::emit(event_log::Kind::ViewerClosed, {{"session", session_}});
}

void ViewerPeer::onRemoteDescriptionSet(GstPromise* promise, void* self) {
  PeerRef peer = peerOf(self);
  gst::PromisePtr owned(promise);  // the reference start() or renegotiate() made
  std::string error = promiseError(promise);
  if (peer->closed_) return;
  if (!error.empty()) {
    peer->fail(protocol::ByeReason::BadSdp, "the offer was refused: " + error);
    return;
  }
  GstPromise* next =
      gst_promise_new_with_change_func(onAnswerCreated, newPeerRef(*peer), deletePeerRef);
  g_signal_emit_by_name(peer->webrtc_.get(), "create-answer", nullptr, next);
}

void ViewerPeer::onAnswerCreated(GstPromise* promise, void* self) {
  PeerRef peer = peerOf(self);
  gst::PromisePtr owned(promise);
  std::string error = promiseError(promise);
  if (peer->closed_) return;
  GstWebRTCSessionDescription* rawAnswer = nullptr;
  if (error.empty()) {
    gst_structure_get(gst_promise_get_reply(promise), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                      &rawAnswer, nullptr);
  }
  DescriptionPtr answer(rawAnswer);
  if (!answer) {
    peer->fail(protocol::ByeReason::NegotiationFailed, "no answer could be created: " + error);
    return;
  }
  // An answer whose video is inactive means no codec matched: say so instead of sending it.
  if (videoInactive(answer->sdp)) {
    peer->fail(protocol::ByeReason::NegotiationFailed, "no compatible video codec in the offer");
    return;
  }
  gst::GCharPtr text(gst_sdp_message_as_text(answer->sdp));
  g_signal_emit_by_name(peer->webrtc_.get(), "set-local-description", answer.get(), nullptr);
  if (peer->events_.onAnswer) peer->events_.onAnswer(std::string(text.get()));
}

void ViewerPeer::onIceCandidate(GstElement*, unsigned mline, char* candidate, void* self) {
  PeerRef peer = peerOf(self);
  if (peer->closed_ || !peer->events_.onLocalCandidate) return;
  protocol::Candidate c;
  c.session = peer->session_;
  c.candidate = candidate ? candidate : "";
  if (!peer->choice_.mid.empty()) c.sdpMid = peer->choice_.mid;
  c.sdpMLineIndex = static_cast<int>(mline);
  peer->events_.onLocalCandidate(std::move(c));
}

void ViewerPeer::onIceConnectionStateChanged(GstElement* webrtc, void*, void* self) {
  PeerRef peer = peerOf(self);
  GstWebRTCICEConnectionState state{};
  g_object_get(webrtc, "ice-connection-state", &state, nullptr);
  auto iceState = toIceState(state);
  if (iceState && !peer->closed_ && peer->events_.onIceState) peer->events_.onIceState(*iceState);
  // From the first connection on, the viewer's reports steer its rendition.
  if ((iceState == IceState::Connected || iceState == IceState::Completed) && !peer->closed_ &&
      peer->controller_ && !peer->rtcpHooked_.exchange(true)) {
    std::weak_ptr<ViewerPeer> weak = peer;
    onLoopThread(peer->loopContext_.get(), [weak] {
      if (auto p = weak.lock(); p && !p->closed_ && p->webrtc_) {
        p->hookRtcp();
        p->hookRetransmissions();
      }
    });
  }
}

void ViewerPeer::onIceGatheringStateChanged(GstElement* webrtc, void*, void* self) {
  PeerRef peer = peerOf(self);
  GstWebRTCICEGatheringState state{};
  g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE && !peer->closed_ &&
      peer->events_.onLocalCandidate) {
    // An empty candidate tells the browser there are no more.
    protocol::Candidate end;
    end.session = peer->session_;
    if (!peer->choice_.mid.empty()) end.sdpMid = peer->choice_.mid;
    end.sdpMLineIndex = peer->choice_.mlineIndex;
    peer->events_.onLocalCandidate(std::move(end));
  }
}

void ViewerPeer::renegotiate(const std::string& offerSdp) {
  if (!webrtc_ || closed_) return;
  GstSDPMessage* parsed = nullptr;
  if (gst_sdp_message_new_from_text(offerSdp.c_str(), &parsed) != GST_SDP_OK || !parsed) {
    fail(protocol::ByeReason::BadSdp, "the renegotiation offer could not be parsed");
    return;
  }
  DescriptionPtr offer(gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, parsed));
  GstPromise* promise =
      gst_promise_new_with_change_func(onRemoteDescriptionSet, newPeerRef(*this), deletePeerRef);
  g_signal_emit_by_name(webrtc_.get(), "set-remote-description", offer.get(), promise);
}

void ViewerPeer::addRemoteCandidate(const protocol::Candidate& candidate) {
  if (!webrtc_ || closed_ || candidate.candidate.empty()) return;
  unsigned mline = static_cast<unsigned>(candidate.sdpMLineIndex.value_or(choice_.mlineIndex));
  g_signal_emit_by_name(webrtc_.get(), "add-ice-candidate", mline, candidate.candidate.c_str());
}

void ViewerPeer::requestKeyFrame() {
  if (feed_ && media_ && !closed_) media_->requestKeyFrame(feed_->teePad.get());
}

struct ViewerPeer::AgentClose {
  std::shared_ptr<ViewerPeer> peer;  // the peer, and with it the bin, lives until the close ends
  gst::GObjectPtr<NiceAgent> agent;
  gst::MainContextPtr loopContext;  // the loop thread's, where the close continues
  bool closeAgain = false;          // gathering was still running: see onIceAgentClosed
};

void ViewerPeer::onDataChannel(GstElement*, GObject* channel, void* self) {
  auto peer = peerOf(self);
  gst::GCharPtr label;
  {
    gchar* raw = nullptr;
    g_object_get(channel, "label", &raw, nullptr);
    label.reset(raw);
  }
  // Only the clip channel: any other the page opens is left unanswered.
  if (!label || g_strcmp0(label.get(), "clips") != 0 || peer->closed_) return;
  auto clips = ClipChannel::open(GST_WEBRTC_DATA_CHANNEL(channel), peer->clipsFolder_,
                                 peer->loopContext_.get());
  std::lock_guard lock(peer->clipsMutex_);
  if (peer->closed_) {  // close() ran meanwhile: it has not seen this one
    clips->close();
    return;
  }
  if (peer->clips_) peer->clips_->close();
  peer->clips_ = std::move(clips);
}

void ViewerPeer::close() {
  if (closed_.exchange(true)) return;
  {
    std::lock_guard lock(clipsMutex_);
    if (clips_) clips_->close();
    clips_.reset();
  }
  if (!bin_ || !media_) return;
  // No handler of ours may run on this peer from here on (they would post to a closed session);
  // one already running keeps the peer alive through its own reference.
  for (auto id : signalHandlers_) g_signal_handler_disconnect(webrtc_.get(), id);
  signalHandlers_.clear();
  if (rtpSession_ && rtcpHandler_) g_signal_handler_disconnect(rtpSession_.get(), rtcpHandler_);
  rtcpHandler_ = 0;
  rtpSession_.reset();
  {
    std::lock_guard lock(sentMutex_);
    rtxSendSrc_.reset();
    probeExtraBytesPerSecond_ = 0;
  }
  // First the branch leaves the tees, so no buffer is pushed into a webrtcbin being torn down.
  unlinkFeeds();

  GstWebRTCICE* rawIce = nullptr;
  g_object_get(webrtc_.get(), "ice-agent", &rawIce, nullptr);
  gst::ObjectPtr<GstWebRTCICE> ice(rawIce);
  NiceAgent* rawAgent = nullptr;
  // "agent" is libnice's; another ICE implementation would not have it.
  if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice.get()), "agent"))
    g_object_get(ice.get(), "agent", &rawAgent, nullptr);
  gst::GObjectPtr<NiceAgent> agent(rawAgent);
  GMainContext* iceContext = nullptr;
  if (agent) g_object_get(agent.get(), "main-context", &iceContext, nullptr);
  if (!agent || !iceContext) {
    finishClose();
    return;
  }
  closeStarted_ = std::chrono::steady_clock::now();
  // Before anything is released, webrtcbin's own handlers on the agent are silenced on the
  // agent's thread (webrtcbin:ice), where libnice emits them: once that has run there, none is
  // running and none will. GStreamer 1.22's handler for "candidate-gathering-done" walks its
  // stream's transport list while the webrtcbin is being finalized on the loop thread: with
  // TURN servers, gathering ends late (or when the close prunes it) and that crashed the
  // camera when two browsers left at once.
  GstWebRTCICEGatheringState gathering{};
  g_object_get(webrtc_.get(), "ice-gathering-state", &gathering, nullptr);
  auto* job = new AgentClose{shared_from_this(), std::move(agent),
                             gst::MainContextPtr(g_main_context_ref_thread_default()),
                             gathering != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE};
  g_main_context_invoke_full(iceContext, G_PRIORITY_DEFAULT, silenceAgentOnIceThread, job, nullptr);
}

int ViewerPeer::silenceAgentOnIceThread(void* data) {
  auto* job = static_cast<AgentClose*>(data);
  guint count = 0;
  std::unique_ptr<guint, gst::Deleter<g_free>> signals(g_signal_list_ids(NICE_TYPE_AGENT, &count));
  // One by one: g_signal_handlers_block_matched() matches nothing without a function, closure
  // or data to match, and webrtcbin's are not ours to know.
  unsigned blocked = 0;
  for (guint i = 0; i < count; ++i) {
    while (gulong handler = g_signal_handler_find(
               job->agent.get(), GSignalMatchType(G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_UNBLOCKED),
               signals.get()[i], 0, nullptr, nullptr, nullptr)) {
      g_signal_handler_block(job->agent.get(), handler);
      ++blocked;
    }
  }
  spdlog::debug("session {}: {} ICE agent handlers silenced", job->peer->session_, blocked);
  g_main_context_invoke_full(job->loopContext.get(), G_PRIORITY_DEFAULT, closeAgentOnLoopThread,
                             job, nullptr);
  return G_SOURCE_REMOVE;
}

int ViewerPeer::closeAgentOnLoopThread(void* data) {
  // Then libnice releases its TURN allocations while its ICE thread still runs. Tearing the
  // webrtcbin down at once disposes the agent with its TURN refresh timers still armed
  // ("We still have alive TURN refreshes"), racing the webrtcbin:ice thread that runs them.
  // The callback runs on this (the loop) thread's context; the pending close holds its own
  // reference to the agent.
  nice_agent_close_async(static_cast<AgentClose*>(data)->agent.get(), onIceAgentClosed, data);
  return G_SOURCE_REMOVE;
}

void ViewerPeer::onIceAgentClosed(GObject*, GAsyncResult*, void* data) {
  std::unique_ptr<AgentClose> job(static_cast<AgentClose*>(data));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - job->peer->closeStarted_);
  spdlog::info("session {}: ICE agent closed in {} ms", job->peer->session_, waited.count());
  if (job->closeAgain) {
    // Gathering had not finished (a viewer leaving right after the answer): a TURN allocation
    // may have been in flight, which the close does not cancel. Its answer, arriving after the
    // close, leaves a refresh alive on the agent (libnice: "We still have alive TURN
    // refreshes") and the relay held on the TURN server. Close once more after it has had
    // time to arrive; an allocation to a server that never answers never makes a refresh.
    job->closeAgain = false;
    auto* again = job.release();
    gst::SourcePtr timer(g_timeout_source_new(kLateAllocationGraceMs));
    g_source_set_callback(timer.get(), closeAgentOnLoopThread, again, nullptr);
    g_source_attach(timer.get(), again->loopContext.get());
    return;
  }
  job->peer->finishClose();
}

void ViewerPeer::finishClose() {
  if (!bin_ || !media_) return;
  // NULL stops webrtcbin's threads (and, once the bin is released, its ICE thread), so no
  // promise callback or ICE event can run after this.
  gst_element_set_state(bin_.get(), GST_STATE_NULL);
  gst_element_get_state(bin_.get(), nullptr, nullptr, GST_CLOCK_TIME_NONE);
  gst_bin_remove(GST_BIN(media_->pipeline()), bin_.get());
  // Ours were the last references: the webrtcbin, then its bin, are finalized here.
  webrtc_.reset();
  selector_.reset();
  bin_.reset();
  media_.reset();
  event_log::emit(event_log::Kind::ViewerClosed, {{"session", session_}});
}

}  // namespace seccam::camera
