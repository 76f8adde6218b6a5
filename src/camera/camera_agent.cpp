// The camera agent: see camera_agent.hpp.
#include "camera/camera_agent.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <variant>

#include "camera/agent_events.hpp"
#include "camera/gst/gst_loop_thread.hpp"
#include "camera/peer/codec_choice.hpp"
#include "camera/peer/viewer_peer.hpp"
#include "camera/pipeline/camera_media.hpp"
#include "camera/pipeline/media_pipeline.hpp"
#include "camera/session/session_core.hpp"
#include "camera/signaling_client.hpp"
#include "common/crypto.hpp"

namespace seccam::camera {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct CameraAgent::Impl : std::enable_shared_from_this<CameraAgent::Impl> {
  // What the adapter keeps per session besides the core's state: the things it carries out.
  struct Live {
    std::shared_ptr<ViewerPeer> peer;
    std::unique_ptr<asio::steady_timer> deadline;
  };

  asio::io_context& io;
  CameraConfig config;
  SessionCore core;
  gst::GstLoopThread loop;
  std::unique_ptr<CameraMedia> media;    // used on the loop thread
  InputKind inputKind = InputKind::Raw;  // what the media takes now, for codec choice
  std::unique_ptr<SignalingClient> signaling;
  std::map<std::string, Live> live;
  bool shuttingDown = false;

  Impl(asio::io_context& context, CameraConfig c)
      : io(context),
        config(std::move(c)),
        core(SessionLimits{config.maxViewers, std::chrono::seconds(kIceConnectTimeoutSeconds),
                           std::chrono::seconds(kIceDisconnectTimeoutSeconds)}) {}

  // From any thread: the event is handled on the Asio thread (if the agent still exists).
  static void post(const std::weak_ptr<Impl>& weak, SessionEvent event) {
    if (auto self = weak.lock()) {
      asio::post(self->io,
                 [self, event = std::move(event)]() mutable { self->dispatch(std::move(event)); });
    }
  }

  // Everything below runs on the Asio thread: events in, the core decides, actions out.

  void dispatch(SessionEvent event) {
    for (auto& action : core.handle(std::move(event))) {
      std::visit([this](auto& a) { carryOut(a); }, action);
    }
  }

  void start() {
    auto key = crypto::fromHex(config.deviceKeyHex).value_or(crypto::Bytes{});
    SignalingClient::Events events;
    events.onWelcome = [](const protocol::Welcome&) {};
    events.onMessage = [this](protocol::ServerToCamera message) {
      onServerMessage(std::move(message));
    };
    events.onDisconnected = [this] { dispatch(ServerLost{}); };
    signaling = std::make_unique<SignalingClient>(io, config.server, config.cameraId, key,
                                                  config.caFile, std::move(events));

    CameraMedia::Events mediaEvents;
    mediaEvents.onViewerError = [weak = weak_from_this()](std::string session,
                                                          std::string message) {
      post(weak, PeerFailed{std::move(session), protocol::ByeReason::Internal,
                            "media error: " + std::move(message)});
    };
    mediaEvents.onMotionEvent = [weak = weak_from_this()](protocol::CameraEvent event) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->io, [self, event = std::move(event)] {
        // Metadata only; an event while the server is unreachable is not kept for later.
        if (self->signaling) self->signaling->send(protocol::serialize(event));
      });
    };
    mediaEvents.onInputKindChanged = [weak = weak_from_this()](InputKind kind) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->io, [self, kind] {
        // The sessions end (their peers close on the loop thread) before the pipeline they
        // hang off is replaced.
        self->dispatch(SourceChanged{});
        self->inputKind = kind;
        self->loop.invoke([self, kind] { self->media->restart(kind); });
      });
    };
    media = std::make_unique<CameraMedia>(config, loop, std::move(mediaEvents));
    inputKind = media->initialInputKind();
    loop.invoke([self = shared_from_this()] { self->media->start(); });
    signaling->start();
  }

  void onServerMessage(protocol::ServerToCamera message) {
    if (auto* offer = std::get_if<protocol::Offer>(&message)) {
      auto result = chooseVideoCodec(offer->sdp, config.encoder == EncoderPreference::Vp8,
                                     inputKind == InputKind::Raw);
      std::variant<CodecChoice, OfferRefusal> choice = result.refusal;
      if (result.choice) choice = std::move(*result.choice);
      return dispatch(OfferReceived{std::move(*offer), std::move(choice), Clock::now()});
    }
    if (auto* candidate = std::get_if<protocol::Candidate>(&message)) {
      if (!core.has(candidate->session)) {
        spdlog::info("candidate for unknown session {} ignored", candidate->session);
        ignoredForUnknownSession("candidate", candidate->session);
      }
      return dispatch(RemoteCandidateReceived{std::move(*candidate)});
    }
    if (auto* bye = std::get_if<protocol::Bye>(&message)) {
      if (!core.has(bye->session)) {
        spdlog::info("bye for unknown session {} ignored", bye->session);
        ignoredForUnknownSession("bye", bye->session);
      } else if (!bye->reason.empty()) {
        spdlog::info("session {}: viewer said bye: {}", bye->session, bye->reason);
      }
      return dispatch(ViewerByeReceived{bye->session});
    }
  }

  static void ignoredForUnknownSession(std::string_view type, const std::string& session) {
    event_log::emit(event_log::Kind::MessageIgnored, {{"type", std::string(type)},
                                                      {"session", session},
                                                      {"why", std::string("unknown_session")}});
  }

  void carryOut(CreatePeer& a) {
    auto weak = weak_from_this();
    const std::string id = a.session;
    ViewerPeer::Events events;
    events.onAnswer = [weak, id](std::string sdp) {
      post(weak, AnswerReady{id, std::move(sdp), Clock::now()});
    };
    events.onLocalCandidate = [weak](protocol::Candidate c) {
      post(weak, LocalCandidateGathered{std::move(c)});
    };
    events.onIceState = [weak, id](IceState state) { post(weak, IceStateChanged{id, state}); };
    events.onFailed = [weak, id](protocol::ByeReason reason, std::string detail) {
      post(weak, PeerFailed{id, reason, std::move(detail)});
    };
    events.onRendition = [weak, id](Rendition rendition, int width, int height) {
      post(weak, RenditionChanged{{id, std::string(renditionName(rendition)), width, height}});
    };
    auto peer = std::make_shared<ViewerPeer>(id, std::move(a.offerSdp), std::move(a.iceServers),
                                             a.choice, std::move(events));
    // The clips stay on the camera; the viewer (the camera's owner: the server checked) may
    // fetch them over its session, even with recording off now (clips made before).
    peer->serveClips(config.dataDir + "/clips");
    live[id] = Live{peer, std::make_unique<asio::steady_timer>(io)};
    spdlog::info("viewer joined: session {} ({}, payload type {}; viewers: {})", id,
                 videoCodecName(a.choice.codec), a.choice.payloadType, core.viewerCount());
    event_log::emit(event_log::Kind::ViewerJoined,
                    {{"session", id},
                     {"codec", std::string(videoCodecName(a.choice.codec))},
                     {"payloadType", std::int64_t{a.choice.payloadType}},
                     {"viewers", static_cast<std::int64_t>(core.viewerCount())}});
    // The media pipeline is looked up on the loop thread: at start-up it may not exist yet
    // when the first offer arrives, but it does by the time this runs.
    loop.invoke([self = shared_from_this(), peer] { peer->start(self->media->current()); });
  }

  void carryOut(Renegotiate& a) {
    spdlog::info("session {}: renegotiation offer", a.session);
    event_log::emit(event_log::Kind::ViewerRenegotiated, {{"session", a.session}});
    withPeer(a.session, [sdp = std::move(a.offerSdp)](ViewerPeer& peer) { peer.renegotiate(sdp); });
  }

  void carryOut(AddRemoteCandidate& a) {
    withPeer(a.candidate.session,
             [c = std::move(a.candidate)](ViewerPeer& peer) { peer.addRemoteCandidate(c); });
  }

  void carryOut(SendAnswer& a) {
    if (signaling)
      signaling->sendForSession(a.session, protocol::serialize(protocol::Answer{a.session, a.sdp}));
    auto pipeline = media ? media->current() : nullptr;
    int encoders = pipeline ? pipeline->encoderCount() : 0;
    spdlog::info("session {}: answered in {} ms (encoders in this camera: {})", a.session,
                 a.sinceOffer.count(), encoders);
    event_log::emit(event_log::Kind::ViewerAnswered,
                    {{"session", a.session},
                     {"ms", static_cast<std::int64_t>(a.sinceOffer.count())},
                     {"encoders", std::int64_t{encoders}}});
  }

  void carryOut(SendCandidate& a) {
    if (signaling) signaling->sendForSession(a.candidate.session, protocol::serialize(a.candidate));
  }

  void carryOut(RefuseOffer& a) {
    spdlog::warn("session {}: offer refused ({}{}{})", a.session, protocol::wireName(a.reason),
                 a.refusal ? ": " : "", a.refusal ? offerRefusalText(*a.refusal) : "");
    event_log::emit(
        event_log::Kind::ViewerRefused,
        {{"session", a.session}, {"reason", std::string(protocol::wireName(a.reason))}});
    sendBye(a.session, a.reason);
  }

  void carryOut(SendBye& a) { sendBye(a.session, a.reason); }

  void carryOut(SendQuality& a) {
    spdlog::info("session {}: now on the {} rendition ({}x{})", a.quality.session,
                 a.quality.rendition, a.quality.width, a.quality.height);
    event_log::emit(event_log::Kind::RenditionChanged,
                    {{"session", a.quality.session},
                     {"rendition", a.quality.rendition},
                     {"width", std::int64_t{a.quality.width}},
                     {"height", std::int64_t{a.quality.height}}});
    if (signaling)
      signaling->sendForSession(a.quality.session, protocol::serialize(a.quality));
  }

  void sendBye(const std::string& session, protocol::ByeReason reason) {
    if (signaling)
      signaling->send(
          protocol::serialize(protocol::Bye{session, std::string(protocol::wireName(reason))}));
  }

  void carryOut(RequestKeyFrame& a) {
    withPeer(a.session, [](ViewerPeer& peer) { peer.requestKeyFrame(); });
  }

  void carryOut(StartTimer& a) {
    auto it = live.find(a.session);
    if (it == live.end()) return;
    it->second.deadline->expires_after(a.after);
    it->second.deadline->async_wait(
        [weak = weak_from_this(), id = a.session, token = a.token](boost::system::error_code ec) {
          if (auto self = weak.lock(); self && !ec) self->dispatch(TimerFired{id, token});
        });
  }

  void carryOut(CancelTimer& a) {
    if (auto it = live.find(a.session); it != live.end()) it->second.deadline->cancel();
  }

  void carryOut(ClosePeer& a) {
    auto it = live.find(a.session);
    if (it == live.end()) return;
    auto peer = std::move(it->second.peer);
    live.erase(it);
    if (signaling) signaling->forgetSession(a.session);
    if (a.cause == EndCause::CameraDecision && a.reason != protocol::ByeReason::SourceChanged) {
      spdlog::warn("viewer left: session {} ended: {} ({}; viewers: {})", a.session,
                   protocol::wireName(*a.reason), a.detail, a.viewersLeft);
    } else {
      spdlog::info("viewer left: session {} ({}; viewers: {})", a.session, a.detail, a.viewersLeft);
    }
    const event_log::Field fields[] = {
        {"session", a.session},
        {"cause", std::string(endCauseName(a.cause))},
        {"viewers", static_cast<std::int64_t>(a.viewersLeft)},
        {"reason", a.reason ? std::string(protocol::wireName(*a.reason)) : std::string()}};
    // The reason only when the camera decided.
    event_log::emit(event_log::Kind::ViewerLeft, std::span(fields, a.reason ? 4 : 3));
    loop.invoke([peer] { peer->close(); });
  }

  // Work on a session's peer, on the loop thread.
  template <typename Work>
  void withPeer(const std::string& session, Work work) {
    auto it = live.find(session);
    if (it == live.end()) return;
    loop.invoke([peer = it->second.peer, work = std::move(work)]() mutable { work(*peer); });
  }

  void shutdown(std::function<void()> closed) {
    if (shuttingDown) return;
    shuttingDown = true;
    spdlog::info("shutting down");
    dispatch(ShuttingDown{});
    if (signaling)
      signaling->stop(std::move(closed));
    else if (closed)
      asio::post(io, std::move(closed));
  }

  // Loop thread teardown, then the loop thread itself; after io.run() returned.
  void stopGstreamer() {
    loop.invoke([this] {
      if (media) media->stop();
    });
    loop.stop();
  }
};

CameraAgent::CameraAgent(asio::io_context& io, CameraConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {}

CameraAgent::~CameraAgent() {
  impl_->stopGstreamer();
  impl_->signaling.reset();
}

void CameraAgent::start() { impl_->start(); }
void CameraAgent::shutdown(std::function<void()> closed) { impl_->shutdown(std::move(closed)); }

}  // namespace seccam::camera
