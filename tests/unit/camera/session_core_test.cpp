// The camera's session rules, without GStreamer, Asio or a network: events in, actions out.
#include "camera/session/session_core.hpp"

#include <gtest/gtest.h>

namespace seccam::camera {
namespace {

using protocol::ByeReason;
using namespace std::chrono_literals;

const SessionClock::time_point kT0{};
constexpr SessionLimits kLimits{2, 30s, 10s};

CodecChoice h264() { return CodecChoice{VideoCodec::H264, 102, "42e01f", 0, "0", 0}; }

OfferReceived offer(const std::string& session,
                    std::variant<CodecChoice, OfferRefusal> choice = h264(),
                    SessionClock::time_point at = kT0) {
  protocol::Offer o;
  o.session = session;
  o.sdp = "v=0 " + session;
  o.iceServers = {{{"turn:127.0.0.1:3478"}, "user", "pass"}};
  return OfferReceived{std::move(o), std::move(choice), at};
}

protocol::Candidate candidate(const std::string& session, const std::string& text = "candidate:1") {
  protocol::Candidate c;
  c.session = session;
  c.candidate = text;
  c.sdpMLineIndex = 0;
  return c;
}

template <typename A>
std::vector<A> all(const std::vector<SessionAction>& actions) {
  std::vector<A> out;
  for (const auto& a : actions) {
    if (auto* x = std::get_if<A>(&a)) out.push_back(*x);
  }
  return out;
}

template <typename A>
A only(const std::vector<SessionAction>& actions) {
  auto found = all<A>(actions);
  EXPECT_EQ(found.size(), 1u);
  return found.empty() ? A{} : found.front();
}

class SessionCoreTest : public ::testing::Test {
 protected:
  SessionCore core{kLimits};

  // Offer, then the timer's token.
  std::uint64_t join(const std::string& session) {
    auto actions = core.handle(offer(session));
    return only<StartTimer>(actions).token;
  }
  void connect(const std::string& session) {
    join(session);
    core.handle(AnswerReady{session, "answer", kT0 + 5ms});
    core.handle(IceStateChanged{session, IceState::Connected});
  }
};

TEST_F(SessionCoreTest, AnOfferCreatesAPeerWithTheOffersSdpIceServersAndCodec) {
  auto actions = core.handle(offer("session-1"));
  ASSERT_EQ(actions.size(), 2u);
  auto create = std::get<CreatePeer>(actions[0]);
  EXPECT_EQ(create.session, "session-1");
  EXPECT_EQ(create.offerSdp, "v=0 session-1");
  ASSERT_EQ(create.iceServers.size(), 1u);
  EXPECT_EQ(create.choice.payloadType, 102);
  auto timer = std::get<StartTimer>(actions[1]);
  EXPECT_EQ(timer.timer, SessionTimer::Connect);
  EXPECT_EQ(timer.after, 30s);
  EXPECT_EQ(core.viewerCount(), 1u);
}

TEST_F(SessionCoreTest, AnOfferPastMaxViewersIsRefusedWithTooManyViewersAndNoPeer) {
  join("session-1");
  join("session-2");
  auto actions = core.handle(offer("session-3"));
  ASSERT_EQ(actions.size(), 1u);
  auto refused = std::get<RefuseOffer>(actions[0]);
  EXPECT_EQ(refused.session, "session-3");
  EXPECT_EQ(refused.reason, ByeReason::TooManyViewers);
  EXPECT_EQ(core.viewerCount(), 2u);
}

TEST_F(SessionCoreTest, AViewerThatLeavesMakesRoomForANewOne) {
  join("session-1");
  join("session-2");
  core.handle(ViewerByeReceived{"session-1"});
  EXPECT_EQ(all<CreatePeer>(core.handle(offer("session-3"))).size(), 1u);
}

TEST_F(SessionCoreTest, AnOfferThatIsNotSdpIsRefusedWithBadSdp) {
  auto refused = only<RefuseOffer>(core.handle(offer("session-1", OfferRefusal::NotSdp)));
  EXPECT_EQ(refused.reason, ByeReason::BadSdp);
  EXPECT_EQ(refused.refusal, OfferRefusal::NotSdp);
  EXPECT_EQ(core.viewerCount(), 0u);
}

TEST_F(SessionCoreTest, AnOfferWithoutAUsableCodecIsRefusedWithUnsupportedCodec) {
  for (auto refusal : {OfferRefusal::NoVideo, OfferRefusal::NoCompatibleCodec}) {
    auto actions = core.handle(offer("session-1", refusal));
    EXPECT_EQ(only<RefuseOffer>(actions).reason, ByeReason::UnsupportedCodec);
    EXPECT_EQ(only<RefuseOffer>(actions).refusal, refusal);
    EXPECT_TRUE(all<CreatePeer>(actions).empty());
  }
}

TEST_F(SessionCoreTest, ASecondOfferForALiveSessionRenegotiatesTheSamePeer) {
  connect("session-1");
  auto actions = core.handle(offer("session-1", h264(), kT0 + 1s));
  ASSERT_EQ(actions.size(), 1u);
  auto again = std::get<Renegotiate>(actions[0]);
  EXPECT_EQ(again.offerSdp, "v=0 session-1");
  EXPECT_EQ(core.viewerCount(), 1u);
  // The answer's time is measured from the latest offer.
  auto answer = only<SendAnswer>(core.handle(AnswerReady{"session-1", "answer 2", kT0 + 1s + 7ms}));
  EXPECT_EQ(answer.sinceOffer, 7ms);
}

TEST_F(SessionCoreTest, RenegotiationIsNotRefusedAtMaxViewersNorForItsCodec) {
  join("session-1");
  join("session-2");
  auto actions = core.handle(offer("session-2", OfferRefusal::NoCompatibleCodec));
  EXPECT_EQ(all<Renegotiate>(actions).size(), 1u);
  EXPECT_TRUE(all<SendBye>(actions).empty());
}

TEST_F(SessionCoreTest, CandidatesGatheredBeforeTheAnswerGoOutAfterItInOrder) {
  join("session-1");
  EXPECT_TRUE(core.handle(LocalCandidateGathered{candidate("session-1", "candidate:a")}).empty());
  EXPECT_TRUE(core.handle(LocalCandidateGathered{candidate("session-1", "candidate:b")}).empty());
  auto actions = core.handle(AnswerReady{"session-1", "answer", kT0 + 12ms});
  ASSERT_EQ(actions.size(), 3u);
  auto answer = std::get<SendAnswer>(actions[0]);
  EXPECT_EQ(answer.sdp, "answer");
  EXPECT_EQ(answer.sinceOffer, 12ms);
  EXPECT_EQ(std::get<SendCandidate>(actions[1]).candidate.candidate, "candidate:a");
  EXPECT_EQ(std::get<SendCandidate>(actions[2]).candidate.candidate, "candidate:b");
  // After the answer, a candidate goes out at once.
  auto later = core.handle(LocalCandidateGathered{candidate("session-1", "")});
  EXPECT_EQ(only<SendCandidate>(later).candidate.candidate, "");
}

TEST_F(SessionCoreTest, ARemoteCandidateReachesItsPeer) {
  join("session-1");
  auto add = only<AddRemoteCandidate>(core.handle(RemoteCandidateReceived{candidate("session-1")}));
  EXPECT_EQ(add.candidate.session, "session-1");
}

TEST_F(SessionCoreTest, ACandidateForAnEndedOrUnknownSessionIsDropped) {
  join("session-1");
  core.handle(ViewerByeReceived{"session-1"});
  EXPECT_TRUE(core.handle(RemoteCandidateReceived{candidate("session-1")}).empty());
  EXPECT_TRUE(core.handle(RemoteCandidateReceived{candidate("never-was")}).empty());
}

TEST_F(SessionCoreTest, ByeBeforeTheAnswerClosesThePeerWithoutTellingTheViewer) {
  join("session-1");
  auto actions = core.handle(ViewerByeReceived{"session-1"});
  EXPECT_TRUE(all<SendBye>(actions).empty());
  EXPECT_EQ(all<CancelTimer>(actions).size(), 1u);
  auto close = only<ClosePeer>(actions);
  EXPECT_EQ(close.cause, EndCause::ViewerBye);
  EXPECT_EQ(close.viewersLeft, 0u);
  // The answer webrtcbin makes afterwards goes nowhere, nor do its candidates.
  EXPECT_TRUE(core.handle(AnswerReady{"session-1", "answer", kT0}).empty());
  EXPECT_TRUE(core.handle(LocalCandidateGathered{candidate("session-1")}).empty());
}

TEST_F(SessionCoreTest, ByeAfterTheAnswerBeforeIceConnectsClosesThePeer) {
  join("session-1");
  core.handle(AnswerReady{"session-1", "answer", kT0});
  auto actions = core.handle(ViewerByeReceived{"session-1"});
  EXPECT_EQ(only<ClosePeer>(actions).cause, EndCause::ViewerBye);
  EXPECT_EQ(all<CancelTimer>(actions).size(), 1u);
  EXPECT_TRUE(all<SendBye>(actions).empty());
}

TEST_F(SessionCoreTest, ByeWhileConnectedClosesThePeerWithNoTimerToCancel) {
  connect("session-1");
  auto actions = core.handle(ViewerByeReceived{"session-1"});
  EXPECT_EQ(only<ClosePeer>(actions).cause, EndCause::ViewerBye);
  EXPECT_TRUE(all<CancelTimer>(actions).empty());
  EXPECT_FALSE(core.has("session-1"));
}

TEST_F(SessionCoreTest, ByeForAnUnknownSessionIsIgnored) {
  join("session-1");
  EXPECT_TRUE(core.handle(ViewerByeReceived{"session-2"}).empty());
  EXPECT_EQ(core.viewerCount(), 1u);
}

TEST_F(SessionCoreTest, ARenditionChangeIsToldToAnAnsweredViewer) {
  connect("session-1");
  auto actions = core.handle(RenditionChanged{{"session-1", "medium", 640, 360}});
  auto sent = only<SendQuality>(actions);
  EXPECT_EQ(sent.quality.session, "session-1");
  EXPECT_EQ(sent.quality.rendition, "medium");
  EXPECT_EQ(sent.quality.height, 360);
}

TEST_F(SessionCoreTest, ARenditionChangeBeforeTheAnswerOrAfterTheEndIsNotSent) {
  join("session-1");
  EXPECT_TRUE(core.handle(RenditionChanged{{"session-1", "low", 320, 180}}).empty());
  core.handle(ViewerByeReceived{"session-1"});
  EXPECT_TRUE(core.handle(RenditionChanged{{"session-1", "low", 320, 180}}).empty());
}

TEST_F(SessionCoreTest, TheFirstIceConnectionCancelsTheDeadlineAndAsksForAKeyFrameOnce) {
  join("session-1");
  auto actions = core.handle(IceStateChanged{"session-1", IceState::Connected});
  EXPECT_EQ(all<CancelTimer>(actions).size(), 1u);
  EXPECT_EQ(only<RequestKeyFrame>(actions).session, "session-1");
  EXPECT_TRUE(core.handle(IceStateChanged{"session-1", IceState::Completed}).empty());
}

TEST_F(SessionCoreTest, IceFailedEndsTheSessionAndTellsTheViewer) {
  connect("session-1");
  auto actions = core.handle(IceStateChanged{"session-1", IceState::Failed});
  EXPECT_EQ(only<SendBye>(actions).reason, ByeReason::IceFailed);
  auto close = only<ClosePeer>(actions);
  EXPECT_EQ(close.cause, EndCause::CameraDecision);
  EXPECT_EQ(close.reason, ByeReason::IceFailed);
}

TEST_F(SessionCoreTest, NoConnectionBeforeTheDeadlineEndsWithIceTimeout) {
  auto token = join("session-1");
  auto actions = core.handle(TimerFired{"session-1", token});
  EXPECT_EQ(only<SendBye>(actions).reason, ByeReason::IceTimeout);
  EXPECT_EQ(only<ClosePeer>(actions).reason, ByeReason::IceTimeout);
}

TEST_F(SessionCoreTest, StayingDisconnectedPastTheDeadlineEndsWithIceDisconnected) {
  connect("session-1");
  auto timer = only<StartTimer>(core.handle(IceStateChanged{"session-1", IceState::Disconnected}));
  EXPECT_EQ(timer.timer, SessionTimer::Reconnect);
  EXPECT_EQ(timer.after, 10s);
  auto actions = core.handle(TimerFired{"session-1", timer.token});
  EXPECT_EQ(only<SendBye>(actions).reason, ByeReason::IceDisconnected);
}

TEST_F(SessionCoreTest, ReconnectingInTimeCancelsTheDisconnectDeadline) {
  connect("session-1");
  auto timer = only<StartTimer>(core.handle(IceStateChanged{"session-1", IceState::Disconnected}));
  auto actions = core.handle(IceStateChanged{"session-1", IceState::Connected});
  EXPECT_EQ(all<CancelTimer>(actions).size(), 1u);
  EXPECT_TRUE(all<RequestKeyFrame>(actions).empty());  // it had connected before
  // A deadline that fired while the cancel was on its way changes nothing.
  EXPECT_TRUE(core.handle(TimerFired{"session-1", timer.token}).empty());
  EXPECT_TRUE(core.has("session-1"));
}

TEST_F(SessionCoreTest, AReplacedDeadlineThatFiresLateIsHarmless) {
  auto connectToken = join("session-1");
  core.handle(IceStateChanged{"session-1", IceState::Disconnected});  // re-armed
  EXPECT_TRUE(core.handle(TimerFired{"session-1", connectToken}).empty());
  EXPECT_TRUE(core.has("session-1"));
}

TEST_F(SessionCoreTest, ATimerOfAnEndedSessionThatFiresLateIsHarmless) {
  auto token = join("session-1");
  core.handle(ViewerByeReceived{"session-1"});
  EXPECT_TRUE(core.handle(TimerFired{"session-1", token}).empty());
}

TEST_F(SessionCoreTest, APeerFailureEndsTheSessionWithItsReason) {
  join("session-1");
  auto actions = core.handle(PeerFailed{"session-1", ByeReason::NegotiationFailed, "no answer"});
  EXPECT_EQ(only<SendBye>(actions).reason, ByeReason::NegotiationFailed);
  EXPECT_EQ(only<ClosePeer>(actions).detail, "no answer");
}

TEST_F(SessionCoreTest, LateGStreamerCallbacksAfterCloseAreHarmless) {
  connect("session-1");
  core.handle(PeerFailed{"session-1", ByeReason::Internal, "media error"});
  EXPECT_TRUE(core.handle(PeerFailed{"session-1", ByeReason::Internal, "again"}).empty());
  EXPECT_TRUE(core.handle(IceStateChanged{"session-1", IceState::Failed}).empty());
  EXPECT_TRUE(core.handle(IceStateChanged{"session-1", IceState::Connected}).empty());
  EXPECT_TRUE(core.handle(AnswerReady{"session-1", "late", kT0}).empty());
  EXPECT_TRUE(core.handle(LocalCandidateGathered{candidate("session-1")}).empty());
  EXPECT_EQ(core.viewerCount(), 0u);
}

TEST_F(SessionCoreTest, LosingTheServerClosesEveryViewerWithoutAnyBye) {
  connect("session-1");
  join("session-2");
  auto actions = core.handle(ServerLost{});
  EXPECT_TRUE(all<SendBye>(actions).empty());
  auto closed = all<ClosePeer>(actions);
  ASSERT_EQ(closed.size(), 2u);
  for (const auto& c : closed) EXPECT_EQ(c.cause, EndCause::ServerLost);
  EXPECT_EQ(closed.back().viewersLeft, 0u);
  EXPECT_EQ(core.viewerCount(), 0u);
}

TEST_F(SessionCoreTest, ASourceChangeTellsEveryViewerToComeBack) {
  connect("session-1");
  join("session-2");
  auto actions = core.handle(SourceChanged{});
  auto byes = all<SendBye>(actions);
  ASSERT_EQ(byes.size(), 2u);
  for (const auto& b : byes) EXPECT_EQ(b.reason, ByeReason::SourceChanged);
  EXPECT_EQ(all<ClosePeer>(actions).size(), 2u);
}

// Found by fuzz_camera_session (fuzz/corpus/fuzz_camera_session/regression-end-all): ending
// every session read each session's ID after its map entry was erased. IDs longer than the
// short-string buffer make a read of the freed ID visible without a sanitizer too.
TEST_F(SessionCoreTest, EndingEverySessionNamesEachSessionInItsActions) {
  const std::string first(40, 'a'), second = std::string(39, 'b') + "-";
  join(first);
  join(second);
  for (SessionEvent event : {SessionEvent{SourceChanged{}}, SessionEvent{ServerLost{}}}) {
    if (core.viewerCount() == 0) {
      join(first);
      join(second);
    }
    auto actions = core.handle(event);
    std::vector<std::string> cancelled, closed;
    for (const auto& c : all<CancelTimer>(actions)) cancelled.push_back(c.session);
    for (const auto& c : all<ClosePeer>(actions)) closed.push_back(c.session);
    EXPECT_EQ(cancelled, (std::vector<std::string>{first, second}));
    EXPECT_EQ(closed, (std::vector<std::string>{first, second}));
    for (const auto& b : all<SendBye>(actions)) EXPECT_TRUE(b.session == first || b.session == second);
  }
}

TEST_F(SessionCoreTest, ShuttingDownClosesEveryViewerAndLeavesTheByesToTheServer) {
  connect("session-1");
  auto actions = core.handle(ShuttingDown{});
  EXPECT_TRUE(all<SendBye>(actions).empty());
  EXPECT_EQ(only<ClosePeer>(actions).cause, EndCause::ShuttingDown);
}

TEST_F(SessionCoreTest, AnEndedSessionsIdCanStartANewSession) {
  connect("session-1");
  core.handle(ViewerByeReceived{"session-1"});
  auto actions = core.handle(offer("session-1"));
  EXPECT_EQ(all<CreatePeer>(actions).size(), 1u);
  // The new session waits for its own answer before sending candidates.
  EXPECT_TRUE(core.handle(LocalCandidateGathered{candidate("session-1")}).empty());
}

TEST(IceStateName, NamesEveryState) {
  EXPECT_EQ(iceStateName(IceState::Connected), "connected");
  EXPECT_EQ(iceStateName(IceState::Disconnected), "disconnected");
}

}  // namespace
}  // namespace seccam::camera
