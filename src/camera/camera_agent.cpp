// The camera agent: see camera_agent.hpp.
#include "camera/camera_agent.hpp"

#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <mutex>

#include "camera/gst/gst_handles.hpp"
#include "camera/gst/gst_loop_thread.hpp"
#include "camera/peer/codec_choice.hpp"
#include "camera/peer/viewer_peer.hpp"
#include "camera/pipeline/media_pipeline.hpp"
#include "camera/pipeline/video_source.hpp"
#include "camera/signaling_client.hpp"
#include "common/crypto.hpp"
#include "common/identity.hpp"

namespace seccam::camera {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
long long millisecondsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Bridges ViewerPeer's typed ICE state to this file's strings until the session core replaces it.
std::string iceStateText(IceState state) {
  switch (state) {
    case IceState::New:
      return "new";
    case IceState::Checking:
      return "checking";
    case IceState::Connected:
      return "connected";
    case IceState::Completed:
      return "completed";
    case IceState::Failed:
      return "failed";
    case IceState::Disconnected:
      return "disconnected";
    case IceState::Closed:
      return "closed";
  }
  return "unknown";
}
}  // namespace

struct CameraAgent::Impl : std::enable_shared_from_this<CameraAgent::Impl> {
  struct Session {
    std::shared_ptr<ViewerPeer> peer;
    std::unique_ptr<asio::steady_timer> iceTimer;  // connect or disconnect deadline
    Clock::time_point offerReceived;
    bool connected = false;
    bool answered = false;
    std::vector<std::string> pendingCandidates;  // gathered before the answer went out
  };

  asio::io_context& io;
  CameraConfig config;
  gst::GstLoopThread loop;
  std::unique_ptr<VideoSource> source;
  std::mutex mediaMutex;  // guards `media` for the source's streaming thread
  std::shared_ptr<MediaPipeline> media;
  InputKind inputKind = InputKind::Raw;  // Asio side's copy
  std::unique_ptr<SignalingClient> signaling;
  std::map<std::string, Session> sessions;
  gst::ElementPtr dtlsWarmup;
  bool shuttingDown = false;

  Impl(asio::io_context& context, CameraConfig c) : io(context), config(std::move(c)) {}

  // ---- GStreamer side (loop thread) ----

  void startMedia(InputKind kind) {
    MediaSettings settings{kind, config.encoder, config.bitrateKbps, config.fps};
    MediaPipeline::Events events;
    events.onViewerError = [weak = weak_from_this()](std::string session, std::string message) {
      if (auto self = weak.lock()) {
        asio::post(self->io, [self, session, message] {
          self->endSession(session, "internal", "media error: " + message, true);
        });
      }
    };
    auto next = std::make_shared<MediaPipeline>(settings, loop, std::move(events));
    next->start();
    std::shared_ptr<MediaPipeline> old;
    {
      std::lock_guard lock(mediaMutex);
      old = std::exchange(media, next);
    }
    if (old) old->stop();
  }

  std::shared_ptr<MediaPipeline> currentMedia() {
    std::lock_guard lock(mediaMutex);
    return media;
  }

  // ---- Asio side ----

  void start() {
    auto key = crypto::fromHex(config.deviceKeyHex).value_or(crypto::Bytes{});
    SignalingClient::Events events;
    events.onWelcome = [this](const protocol::Welcome&) {};
    events.onMessage = [this](protocol::ServerToCamera message) {
      onServerMessage(std::move(message));
    };
    events.onDisconnected = [this] { endAllSessions("", "the server connection was lost", false); };
    signaling = std::make_unique<SignalingClient>(io, config.server, config.cameraId, key,
                                                  config.caFile, std::move(events));

    auto spec = parseSourceSpec(config.source);
    inputKind = spec.kind == SourceKind::Rtsp ? InputKind::H264PassThrough : InputKind::Raw;
    VideoSource::Events sourceEvents;
    sourceEvents.onFrame = [this](GstBuffer* buffer, GstCaps* caps) {
      if (auto m = currentMedia())
        m->pushFrame(buffer, caps);
      else
        gst_buffer_unref(buffer);
    };
    sourceEvents.onInputKindChanged = [weak = weak_from_this()](InputKind kind) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->io, [self, kind] {
        self->endAllSessions("source_changed", "the source's stream format changed", true);
        self->inputKind = kind;
        self->loop.invoke([self, kind] { self->startMedia(kind); });
      });
    };
    source =
        std::make_unique<VideoSource>(spec, VideoFormat{config.width, config.height, config.fps},
                                      config.latencyProbe, loop, std::move(sourceEvents));
    loop.invoke([self = shared_from_this(), kind = inputKind] {
      // The first webrtcbin would otherwise generate the DTLS certificate while a viewer waits.
      auto begin = Clock::now();
      self->dtlsWarmup.reset(gst_element_factory_make("dtlsdec", nullptr));
      if (self->dtlsWarmup) gst_object_ref_sink(self->dtlsWarmup.get());
      spdlog::info("DTLS certificate ready in {} ms", millisecondsSince(begin));
      self->startMedia(kind);
      self->source->start();
    });
    signaling->start();
  }

  void send(const std::string& text) {
    if (signaling) signaling->send(text);
  }

  // An answer or a candidate: not worth sending once the session has ended.
  void sendForSession(const std::string& session, const std::string& text) {
    if (signaling) signaling->sendForSession(session, text);
  }

  void sendBye(const std::string& session, const std::string& reason) {
    send(protocol::serialize(protocol::Bye{session, reason}));
  }

  void onServerMessage(protocol::ServerToCamera message) {
    if (auto* offer = std::get_if<protocol::Offer>(&message)) return onOffer(std::move(*offer));
    if (auto* candidate = std::get_if<protocol::Candidate>(&message))
      return onRemoteCandidate(*candidate);
    if (auto* bye = std::get_if<protocol::Bye>(&message)) {
      if (!sessions.count(bye->session)) {
        spdlog::info("bye for unknown session {} ignored", bye->session);
        return;
      }
      return endSession(bye->session, "",
                        bye->reason.empty() ? "viewer said bye" : "viewer said bye: " + bye->reason,
                        false);
    }
  }

  void onOffer(protocol::Offer offer) {
    const std::string& id = offer.session;
    if (!identity::isValidSessionId(id)) {
      spdlog::warn("offer with an invalid session ID ignored");
      return;
    }
    if (auto it = sessions.find(id); it != sessions.end()) {
      // Renegotiation of a live session (docs/PROTOCOL.md): the same webrtcbin answers again.
      spdlog::info("session {}: renegotiation offer", id);
      it->second.offerReceived = Clock::now();
      loop.invoke([peer = it->second.peer, sdp = std::move(offer.sdp)] { peer->renegotiate(sdp); });
      return;
    }
    if (static_cast<int>(sessions.size()) >= config.maxViewers) {
      spdlog::warn("session {}: refused, already {} viewers (max-viewers)", id, sessions.size());
      sendBye(id, "too_many_viewers");
      return;
    }
    auto result = chooseVideoCodec(offer.sdp, config.encoder == EncoderPreference::Vp8,
                                   inputKind == InputKind::Raw);
    if (!result.choice) {
      bool notSdp = result.refusal == OfferRefusal::NotSdp;
      spdlog::warn("session {}: offer refused: {}", id, offerRefusalText(result.refusal));
      sendBye(id, notSdp ? "bad_sdp" : "unsupported_codec");
      return;
    }
    auto weak = weak_from_this();
    auto post = [weak, id](auto work) {
      if (auto self = weak.lock())
        asio::post(self->io, [self, work = std::move(work)] { work(*self); });
    };
    ViewerPeer::Events events;
    events.onAnswer = [post, id](std::string sdp) {
      post([id, sdp = std::move(sdp)](Impl& self) { self.onAnswer(id, sdp); });
    };
    events.onLocalCandidate = [post](protocol::Candidate c) {
      post([c = std::move(c)](Impl& self) {
        auto it = self.sessions.find(c.session);
        if (it == self.sessions.end()) return;
        // The browser must see the answer before our candidates.
        if (it->second.answered)
          self.sendForSession(c.session, protocol::serialize(c));
        else
          it->second.pendingCandidates.push_back(protocol::serialize(c));
      });
    };
    events.onIceState = [post, id](IceState iceState) {
      post([id, state = iceStateText(iceState)](Impl& self) { self.onIceState(id, state); });
    };
    events.onFailed = [post, id](protocol::ByeReason byeReason, std::string detail) {
      post([id, reason = std::string(protocol::wireName(byeReason)),
            detail = std::move(detail)](Impl& self) { self.endSession(id, reason, detail, true); });
    };
    auto codec = result.choice->codec;
    auto peer = std::make_shared<ViewerPeer>(id, std::move(offer.sdp), std::move(offer.iceServers),
                                             *result.choice, std::move(events));
    Session session{peer, std::make_unique<asio::steady_timer>(io), Clock::now(), false, false, {}};
    armIceTimer(id, session, std::chrono::seconds(kIceConnectTimeoutSeconds), "ice_timeout",
                "ICE did not connect in time");
    sessions.emplace(id, std::move(session));
    spdlog::info("viewer joined: session {} ({}, payload type {}; viewers: {})", id,
                 videoCodecName(codec), result.choice->payloadType, sessions.size());
    // The media pipeline is looked up on the loop thread: at start-up it may not exist yet
    // when the first offer arrives, but it does by the time this runs.
    loop.invoke([self = shared_from_this(), peer] { peer->start(self->currentMedia()); });
  }

  void armIceTimer(const std::string& id, Session& session, std::chrono::seconds timeout,
                   std::string reason, std::string detail) {
    session.iceTimer->expires_after(timeout);
    session.iceTimer->async_wait([weak = weak_from_this(), id, peer = std::weak_ptr(session.peer),
                                  reason, detail](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      auto it = self->sessions.find(id);
      if (it != self->sessions.end() && it->second.peer == peer.lock()) {
        self->endSession(id, reason, detail, true);
      }
    });
  }

  void onAnswer(const std::string& id, const std::string& sdp) {
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    sendForSession(id, protocol::serialize(protocol::Answer{id, sdp}));
    it->second.answered = true;
    for (const auto& candidate : it->second.pendingCandidates) sendForSession(id, candidate);
    it->second.pendingCandidates.clear();
    auto media = currentMedia();
    spdlog::info("session {}: answered in {} ms (encoders in this camera: {})", id,
                 millisecondsSince(it->second.offerReceived), media ? media->encoderCount() : 0);
  }

  void onIceState(const std::string& id, const std::string& state) {
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    auto& session = it->second;
    spdlog::info("session {}: ICE {}", id, state);
    if (state == "connected" || state == "completed") {
      session.iceTimer->cancel();
      if (!session.connected) {
        session.connected = true;
        // The viewer can decode from the very next frame.
        loop.invoke([peer = session.peer] { peer->requestKeyFrame(); });
      }
    } else if (state == "failed") {
      endSession(id, "ice_failed", "ICE failed", true);
    } else if (state == "disconnected") {
      armIceTimer(id, session, std::chrono::seconds(kIceDisconnectTimeoutSeconds),
                  "ice_disconnected", "ICE stayed disconnected");
    }
  }

  void onRemoteCandidate(const protocol::Candidate& candidate) {
    auto it = sessions.find(candidate.session);
    if (it == sessions.end()) {
      spdlog::info("candidate for unknown session {} ignored", candidate.session);
      return;
    }
    loop.invoke([peer = it->second.peer, candidate] { peer->addRemoteCandidate(candidate); });
  }

  // `reason` empty: the viewer or server ended it, nothing to tell them.
  void endSession(const std::string& id, const std::string& reason, const std::string& detail,
                  bool tellViewer) {
    auto it = sessions.find(id);
    if (it == sessions.end()) return;
    auto peer = it->second.peer;
    it->second.iceTimer->cancel();
    sessions.erase(it);
    if (signaling) signaling->forgetSession(id);
    if (tellViewer && !reason.empty()) sendBye(id, reason);
    if (reason.empty() || reason == "source_changed") {
      spdlog::info("viewer left: session {} ({}; viewers: {})", id, detail, sessions.size());
    } else {
      spdlog::warn("viewer left: session {} ended: {} ({}; viewers: {})", id, reason, detail,
                   sessions.size());
    }
    loop.invoke([peer] { peer->close(); });
  }

  void endAllSessions(const std::string& reason, const std::string& detail, bool tellViewers) {
    std::vector<std::string> ids;
    for (const auto& [id, session] : sessions) ids.push_back(id);
    for (const auto& id : ids) endSession(id, reason, detail, tellViewers);
  }

  void shutdown(std::function<void()> closed) {
    if (shuttingDown) return;
    shuttingDown = true;
    spdlog::info("shutting down");
    // No byes: the server tells every viewer that the camera went offline.
    endAllSessions("camera_offline", "the camera is shutting down", false);
    if (signaling)
      signaling->stop(std::move(closed));
    else if (closed)
      asio::post(io, std::move(closed));
  }

  // Loop thread teardown, then the loop thread itself; after io.run() returned.
  void stopGstreamer() {
    loop.invoke([this] {
      if (source) source->stop();
      if (auto m = currentMedia()) m->stop();
      std::lock_guard lock(mediaMutex);
      media.reset();
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
