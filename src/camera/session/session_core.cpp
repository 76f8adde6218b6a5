// The camera's viewer sessions: see session_core.hpp and docs/CAMERA-SESSIONS.md.
#include "camera/session/session_core.hpp"

#include <utility>

namespace seccam::camera {

using protocol::ByeReason;

std::string_view iceStateName(IceState state) {
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

std::string_view endCauseName(EndCause cause) {
  switch (cause) {
    case EndCause::ViewerBye:
      return "viewer_bye";
    case EndCause::ServerLost:
      return "server_lost";
    case EndCause::ShuttingDown:
      return "shutting_down";
    case EndCause::CameraDecision:
      return "camera";
  }
  return "unknown";
}

SessionCore::SessionCore(SessionLimits limits) : limits_(limits) {}

std::vector<SessionAction> SessionCore::handle(SessionEvent event) {
  Actions out;
  std::visit([&](auto& e) { on(e, out); }, event);
  return out;
}

void SessionCore::on(OfferReceived& e, Actions& out) {
  const std::string id = e.offer.session;
  if (auto it = sessions_.find(id); it != sessions_.end()) {
    // Renegotiation of a live session (PROTOCOL.md): the same peer answers again.
    it->second.offerAt = e.at;
    out.push_back(Renegotiate{id, std::move(e.offer.sdp)});
    return;
  }
  if (static_cast<int>(sessions_.size()) >= limits_.maxViewers) {
    out.push_back(RefuseOffer{id, ByeReason::TooManyViewers, std::nullopt});
    return;
  }
  if (auto* refusal = std::get_if<OfferRefusal>(&e.choice)) {
    out.push_back(RefuseOffer{
        id, *refusal == OfferRefusal::NotSdp ? ByeReason::BadSdp : ByeReason::UnsupportedCodec,
        *refusal});
    return;
  }
  auto& session = sessions_[id];
  session.offerAt = e.at;
  out.push_back(CreatePeer{id, std::move(e.offer.sdp), std::move(e.offer.iceServers),
                           std::get<CodecChoice>(std::move(e.choice))});
  startTimer(id, session, SessionTimer::Connect, out);
}

void SessionCore::on(RemoteCandidateReceived& e, Actions& out) {
  if (!has(e.candidate.session)) return;  // a session that ended (or never was): dropped
  out.push_back(AddRemoteCandidate{std::move(e.candidate)});
}

void SessionCore::on(ViewerByeReceived& e, Actions& out) {
  end(e.session, EndCause::ViewerBye, std::nullopt, "viewer said bye", out);
}

void SessionCore::on(RenditionChanged& e, Actions& out) {
  auto it = sessions_.find(e.quality.session);
  // Only a viewer that has its answer can make sense of it (and only one that is still here).
  if (it == sessions_.end() || !it->second.answered) return;
  out.push_back(SendQuality{std::move(e.quality)});
}

void SessionCore::on(AnswerReady& e, Actions& out) {
  auto it = sessions_.find(e.session);
  if (it == sessions_.end()) return;
  auto& session = it->second;
  out.push_back(
      SendAnswer{e.session, std::move(e.sdp),
                 std::chrono::duration_cast<std::chrono::milliseconds>(e.at - session.offerAt)});
  session.answered = true;
  // The browser must see the answer before our candidates.
  for (auto& candidate : session.pendingCandidates)
    out.push_back(SendCandidate{std::move(candidate)});
  session.pendingCandidates.clear();
}

void SessionCore::on(LocalCandidateGathered& e, Actions& out) {
  auto it = sessions_.find(e.candidate.session);
  if (it == sessions_.end()) return;
  if (it->second.answered)
    out.push_back(SendCandidate{std::move(e.candidate)});
  else
    it->second.pendingCandidates.push_back(std::move(e.candidate));
}

void SessionCore::on(IceStateChanged& e, Actions& out) {
  auto it = sessions_.find(e.session);
  if (it == sessions_.end()) return;
  auto& session = it->second;
  switch (e.state) {
    case IceState::Connected:
    case IceState::Completed:
      if (session.timerToken != 0) {
        session.timerToken = 0;
        out.push_back(CancelTimer{e.session});
      }
      if (!session.connected) {
        session.connected = true;
        // The viewer can decode from the very next frame.
        out.push_back(RequestKeyFrame{e.session});
      }
      break;
    case IceState::Failed:
      end(e.session, EndCause::CameraDecision, ByeReason::IceFailed, "ICE failed", out);
      break;
    case IceState::Disconnected:
      startTimer(e.session, session, SessionTimer::Reconnect, out);
      break;
    case IceState::New:
    case IceState::Checking:
    case IceState::Closed:
      break;
  }
}

void SessionCore::on(PeerFailed& e, Actions& out) {
  end(e.session, EndCause::CameraDecision, e.reason, std::move(e.detail), out);
}

void SessionCore::on(TimerFired& e, Actions& out) {
  auto it = sessions_.find(e.session);
  // A deadline that was cancelled or replaced after it had already fired: nothing to do.
  if (it == sessions_.end() || e.token == 0 || it->second.timerToken != e.token) return;
  if (it->second.timer == SessionTimer::Connect)
    end(e.session, EndCause::CameraDecision, ByeReason::IceTimeout, "ICE did not connect in time",
        out);
  else
    end(e.session, EndCause::CameraDecision, ByeReason::IceDisconnected, "ICE stayed disconnected",
        out);
}

void SessionCore::on(ServerLost&, Actions& out) {
  endAll(EndCause::ServerLost, std::nullopt, "the server connection was lost", out);
}

void SessionCore::on(SourceChanged&, Actions& out) {
  endAll(EndCause::CameraDecision, ByeReason::SourceChanged, "the source's stream format changed",
         out);
}

void SessionCore::on(ShuttingDown&, Actions& out) {
  // No byes: the server tells every viewer that the camera went offline.
  endAll(EndCause::ShuttingDown, std::nullopt, "the camera is shutting down", out);
}

void SessionCore::startTimer(const std::string& id, Session& session, SessionTimer timer,
                             Actions& out) {
  session.timer = timer;
  session.timerToken = ++lastTimerToken_;
  auto after =
      timer == SessionTimer::Connect ? limits_.iceConnectTimeout : limits_.iceDisconnectTimeout;
  out.push_back(StartTimer{id, timer, after, session.timerToken});
}

// `id` by value: endAll passes the map's own key, which the erase below frees.
void SessionCore::end(std::string id, EndCause cause, std::optional<ByeReason> reason,
                      std::string detail, Actions& out) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  bool timerArmed = it->second.timerToken != 0;
  sessions_.erase(it);
  if (timerArmed) out.push_back(CancelTimer{id});
  if (cause == EndCause::CameraDecision && reason) out.push_back(SendBye{id, *reason});
  out.push_back(ClosePeer{std::move(id), cause, reason, std::move(detail), sessions_.size()});
}

void SessionCore::endAll(EndCause cause, std::optional<ByeReason> reason, const std::string& detail,
                         Actions& out) {
  while (!sessions_.empty()) end(sessions_.begin()->first, cause, reason, detail, out);
}

}  // namespace seccam::camera
