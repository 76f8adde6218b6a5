// The camera's viewer sessions as a plain state machine: typed events in, typed actions out.
// No GStreamer, GLib or Asio here: CameraAgent turns signaling messages, webrtcbin signals
// and timers into events on its one Asio thread, and carries out the actions the core
// returns (docs/CAMERA-SESSIONS.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "camera/peer/codec_choice.hpp"
#include "common/protocol.hpp"

namespace seccam::camera {

// webrtcbin's ICE connection state (GstWebRTCICEConnectionState), as the core sees it.
enum class IceState { New, Checking, Connected, Completed, Failed, Disconnected, Closed };
std::string_view iceStateName(IceState state);

// The two deadlines a session can be waiting on.
enum class SessionTimer {
  Connect,    // ICE has never connected since the offer
  Reconnect,  // ICE went disconnected
};

struct SessionLimits {
  int maxViewers = 4;
  std::chrono::seconds iceConnectTimeout{30};
  std::chrono::seconds iceDisconnectTimeout{10};
};

using SessionClock = std::chrono::steady_clock;

// ---- Events (inputs) ----

// An offer from a viewer. `choice` is what codec_choice made of its SDP: a new session needs
// a codec; a renegotiation of a live session does not look at it.
struct OfferReceived {
  protocol::Offer offer;
  std::variant<CodecChoice, OfferRefusal> choice;
  SessionClock::time_point at;
};
struct RemoteCandidateReceived {
  protocol::Candidate candidate;
};
struct ViewerByeReceived {
  std::string session;
};
// From a session's webrtcbin (through the adapter): may arrive after the session ended.
struct AnswerReady {
  std::string session;
  std::string sdp;
  SessionClock::time_point at;
};
struct LocalCandidateGathered {
  protocol::Candidate candidate;  // an empty `candidate` text: gathering complete
};
struct IceStateChanged {
  std::string session;
  IceState state;
};
struct PeerFailed {
  std::string session;
  protocol::ByeReason reason;
  std::string detail;
};
struct TimerFired {
  std::string session;
  std::uint64_t token;  // the token of the StartTimer it answers
};
// The session's peer moved to another rendition of the quality ladder (docs/CONGESTION.md).
struct RenditionChanged {
  protocol::Quality quality;
};
struct ServerLost {};     // the signaling connection dropped: every session ends, nobody told
struct SourceChanged {};  // the source's stream changed: every viewer is told to come back
struct ShuttingDown {};   // the camera stops: every session ends; the server tells viewers

using SessionEvent = std::variant<OfferReceived, RemoteCandidateReceived, ViewerByeReceived,
                                  AnswerReady, LocalCandidateGathered, IceStateChanged, PeerFailed,
                                  TimerFired, RenditionChanged, ServerLost, SourceChanged,
                                  ShuttingDown>;

// ---- Actions (outputs), carried out in order ----

struct CreatePeer {
  std::string session;
  std::string offerSdp;
  std::vector<protocol::IceServer> iceServers;
  CodecChoice choice;
};
struct Renegotiate {
  std::string session;
  std::string offerSdp;
};
struct AddRemoteCandidate {
  protocol::Candidate candidate;
};
struct SendAnswer {
  std::string session;
  std::string sdp;
  std::chrono::milliseconds sinceOffer;
};
struct SendCandidate {
  protocol::Candidate candidate;
};
// An offer the camera will not answer: a bye, and no session was made.
struct RefuseOffer {
  std::string session;
  protocol::ByeReason reason;
  std::optional<OfferRefusal> refusal;  // what was wrong with the SDP, if that was it
};
// A bye for a session the camera ends.
struct SendBye {
  std::string session;
  protocol::ByeReason reason;
};
// Tells the viewer which rendition it gets now.
struct SendQuality {
  protocol::Quality quality;
};
struct RequestKeyFrame {
  std::string session;
};
// Arms the session's one deadline (replacing any earlier one); when it passes, the adapter
// feeds back TimerFired with the same token.
struct StartTimer {
  std::string session;
  SessionTimer timer;
  std::chrono::seconds after;
  std::uint64_t token;
};
struct CancelTimer {
  std::string session;
};
// Why a session ended, for the peer's teardown and the log.
enum class EndCause {
  ViewerBye,       // the viewer (or the server on its behalf) said bye
  ServerLost,      // the connection to the server dropped
  ShuttingDown,    // the camera is stopping
  CameraDecision,  // the camera ended it; `reason` says why, and the viewer was told
};
std::string_view endCauseName(EndCause cause);  // viewer_bye, server_lost, shutting_down, camera
struct ClosePeer {
  std::string session;
  EndCause cause;
  std::optional<protocol::ByeReason> reason;  // set when cause is CameraDecision
  std::string detail;
  std::size_t viewersLeft;
};

using SessionAction =
    std::variant<CreatePeer, Renegotiate, AddRemoteCandidate, SendAnswer, SendCandidate,
                 RefuseOffer, SendBye, SendQuality, RequestKeyFrame, StartTimer, CancelTimer,
                 ClosePeer>;

// Single-threaded: every call from the adapter's one thread.
class SessionCore {
 public:
  explicit SessionCore(SessionLimits limits);

  std::vector<SessionAction> handle(SessionEvent event);

  std::size_t viewerCount() const { return sessions_.size(); }
  bool has(const std::string& session) const { return sessions_.count(session) != 0; }

 private:
  struct Session {
    bool answered = false;
    bool connected = false;                              // ICE has connected at least once
    std::vector<protocol::Candidate> pendingCandidates;  // gathered before the answer went out
    std::uint64_t timerToken = 0;                        // the armed deadline's, 0: none
    SessionTimer timer = SessionTimer::Connect;
    SessionClock::time_point offerAt;
  };
  using Actions = std::vector<SessionAction>;

  void on(OfferReceived& e, Actions& out);
  void on(RemoteCandidateReceived& e, Actions& out);
  void on(ViewerByeReceived& e, Actions& out);
  void on(RenditionChanged& e, Actions& out);
  void on(AnswerReady& e, Actions& out);
  void on(LocalCandidateGathered& e, Actions& out);
  void on(IceStateChanged& e, Actions& out);
  void on(PeerFailed& e, Actions& out);
  void on(TimerFired& e, Actions& out);
  void on(ServerLost& e, Actions& out);
  void on(SourceChanged& e, Actions& out);
  void on(ShuttingDown& e, Actions& out);

  void startTimer(const std::string& id, Session& session, SessionTimer timer, Actions& out);
  // Ends one session: cancels its deadline, tells the viewer when `tell`, closes its peer.
  // `id` is a copy: callers may pass a key of sessions_, which ending the session erases.
  void end(std::string id, EndCause cause, std::optional<protocol::ByeReason> reason,
           std::string detail, Actions& out);
  void endAll(EndCause cause, std::optional<protocol::ByeReason> reason, const std::string& detail,
              Actions& out);

  SessionLimits limits_;
  std::map<std::string, Session> sessions_;
  std::uint64_t lastTimerToken_ = 0;
};

}  // namespace seccam::camera
