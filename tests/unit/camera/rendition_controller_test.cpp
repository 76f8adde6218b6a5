// The quality ladder's rules (docs/CONGESTION.md), fed with synthetic receiver reports.
#include "camera/session/rendition_controller.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace seccam::camera {
namespace {

using namespace std::chrono_literals;
using Clock = RenditionController::Clock;

// A receiver that reports every `every`, having received `packets` of which `lost` were lost.
class Receiver {
 public:
  explicit Receiver(RenditionController& controller, Clock::time_point start)
      : controller_(controller), now_(start) {}

  // Runs `duration` of reports; returns every switch the controller asked for.
  std::vector<Rendition> run(Clock::duration duration, int packetsPerReport, int lostPerReport,
                             std::optional<std::chrono::milliseconds> rtt = 40ms) {
    return reports(duration, packetsPerReport, lostPerReport, rtt, false);
  }
  // As run(), but stops at the first switch.
  std::optional<Rendition> untilSwitch(Clock::duration atMost, int packetsPerReport,
                                       int lostPerReport) {
    auto switches = reports(atMost, packetsPerReport, lostPerReport, 40ms, true);
    if (switches.empty()) return std::nullopt;
    return switches.front();
  }
  Clock::time_point now() const { return now_; }
  // The probes asked for so far.
  const std::vector<RenditionCommand>& probes() const { return probes_; }

 private:
  std::vector<Rendition> reports(Clock::duration duration, int packetsPerReport, int lostPerReport,
                                 std::optional<std::chrono::milliseconds> rtt, bool stopAtSwitch) {
    std::vector<Rendition> switches;
    for (auto end = now_ + duration; now_ < end;) {
      now_ += 200ms;
      seq_ += static_cast<std::uint32_t>(packetsPerReport);
      lost_ += lostPerReport;
      auto command = controller_.onReport({now_, seq_, lost_, rtt});
      if (command && command->kind == RenditionCommand::Kind::Probe) probes_.push_back(*command);
      if (command && command->kind == RenditionCommand::Kind::Switch) {
        switches.push_back(command->rendition);
        if (stopAtSwitch) break;
      }
    }
    return switches;
  }

  RenditionController& controller_;
  std::vector<RenditionCommand> probes_;
  Clock::time_point now_;
  std::uint32_t seq_ = 1000;
  std::int32_t lost_ = 0;
};

// The rules with round figures for the holds (the defaults are tested on their own below).
RenditionSettings roundHolds() {
  RenditionSettings settings;
  settings.upHoldInitial = 3s;
  settings.upHoldMax = 8s;
  return settings;
}

class RenditionControllerTest : public ::testing::Test {
 protected:
  Clock::time_point start_ = Clock::time_point{} + 1h;
  RenditionController controller_{start_, roundHolds()};
  Receiver receiver_{controller_, start_};
};

TEST_F(RenditionControllerTest, CleanLinkStaysOnFull) {
  EXPECT_TRUE(receiver_.run(60s, 40, 0).empty());
  EXPECT_EQ(controller_.current(), Rendition::Full);
}

TEST_F(RenditionControllerTest, RandomLossThatRetransmissionsRepairDoesNotMoveTheViewer) {
  // 5 % of the packets lost, every report: below the step-down threshold.
  EXPECT_TRUE(receiver_.run(60s, 40, 2).empty());
  EXPECT_EQ(controller_.current(), Rendition::Full);
}

TEST_F(RenditionControllerTest, HeavyLossStepsDownAfterTheStartSettles) {
  auto switches = receiver_.run(2s, 40, 20);  // 50 % lost: the link carries half
  ASSERT_FALSE(switches.empty());
  EXPECT_EQ(switches.front(), Rendition::Medium);
}

TEST_F(RenditionControllerTest, StepsDownOneRungAtATimeWithASettlingPause) {
  auto switches = receiver_.run(2s, 40, 20);
  ASSERT_EQ(switches, std::vector<Rendition>{Rendition::Medium});
  // Still lossy on medium: only after the settling pause, one more rung.
  auto more = receiver_.run(1s, 40, 20);
  EXPECT_TRUE(more.empty());
  more = receiver_.run(1s, 40, 20);
  EXPECT_EQ(more, std::vector<Rendition>{Rendition::Low});
  // Nothing below low.
  EXPECT_TRUE(receiver_.run(10s, 40, 20).empty());
  EXPECT_EQ(controller_.current(), Rendition::Low);
}

TEST_F(RenditionControllerTest, TooFewPacketsSayNothing) {
  // 3 packets a report, all lost: under the window's minimum, so no decision on them.
  EXPECT_TRUE(receiver_.run(900ms, 3, 3).empty());
  EXPECT_FALSE(controller_.windowLoss().has_value());
}

TEST_F(RenditionControllerTest, AGrowingRoundTripStepsDownBeforeAnyLoss) {
  receiver_.run(3s, 40, 0, 40ms);
  auto switches = receiver_.run(1s, 40, 0, 600ms);
  EXPECT_EQ(switches, std::vector<Rendition>{Rendition::Medium});
}

TEST_F(RenditionControllerTest, OneSlowReportIsNotAQueue) {
  receiver_.run(3s, 40, 0, 40ms);
  EXPECT_TRUE(receiver_.run(200ms, 40, 0, 600ms).empty());
  EXPECT_TRUE(receiver_.run(10s, 40, 0, 40ms).empty());
}

TEST_F(RenditionControllerTest, ACleanLinkStepsBackUpAfterTheHold) {
  receiver_.run(2s, 40, 20);
  ASSERT_EQ(controller_.current(), Rendition::Medium);
  auto switches = receiver_.run(2s, 40, 0);
  EXPECT_TRUE(switches.empty()) << "not before the up hold";
  switches = receiver_.run(2s, 40, 0);
  EXPECT_EQ(switches, std::vector<Rendition>{Rendition::Full});
}

TEST_F(RenditionControllerTest, AFailedProbeDoublesTheHoldUpToItsCap) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  EXPECT_EQ(controller_.upHold(), 3s);
  std::vector<Clock::duration> holds;
  for (int probe = 0; probe < 4; ++probe) {
    // Clean on medium until the controller tries full...
    ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
    // ...which the link cannot carry: back to medium as soon as the switch has settled.
    ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);
    holds.push_back(controller_.upHold());
  }
  EXPECT_EQ(holds, (std::vector<Clock::duration>{6s, 8s, 8s, 8s}));
}

TEST_F(RenditionControllerTest, ABottleneckThatLiftsIsLeftWithinTenSeconds) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  for (int probe = 0; probe < 3; ++probe) {  // the hold grows to its cap
    ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
    ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);
  }
  ASSERT_EQ(controller_.upHold(), 8s);
  EXPECT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
}

TEST_F(RenditionControllerTest, AnUpStepTheLinkCannotCarryIsUndoneQuickly) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
  auto upAt = receiver_.now();
  ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);
  EXPECT_LE(receiver_.now() - upAt, 600ms) << "not the long wait that follows a step down";
}

TEST_F(RenditionControllerTest, AProbeThatHoldsResetsTheHold) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
  ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);  // failed: hold 6 s
  ASSERT_EQ(controller_.upHold(), 6s);
  ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);  // up again, and it holds
  EXPECT_TRUE(receiver_.run(12s, 40, 0).empty());
  EXPECT_EQ(controller_.upHold(), 3s);
}

TEST_F(RenditionControllerTest, LowStepsUpThroughMediumOneRungAtATime) {
  receiver_.run(2s, 40, 20);
  receiver_.run(2s, 40, 20);
  ASSERT_EQ(controller_.current(), Rendition::Low);
  auto switches = receiver_.run(4s, 20, 0);
  EXPECT_EQ(switches, std::vector<Rendition>{Rendition::Medium});
}

TEST_F(RenditionControllerTest, AnOutOfOrderReportRestartsTheCount) {
  RenditionController controller(start_);
  auto t = start_;
  controller.onReport({t += 200ms, 5000, 0, std::nullopt});
  // An older report (a lower sequence number) must not count as a huge loss or a wrap.
  EXPECT_FALSE(controller.onReport({t += 200ms, 4000, 500, std::nullopt}).has_value());
  EXPECT_FALSE(controller.windowLoss().has_value());
  EXPECT_EQ(controller.current(), Rendition::Full);
}

// With probing, an up-step is first tried with probe traffic at the higher rung's rate.
class ProbingControllerTest : public ::testing::Test {
 protected:
  static RenditionSettings probing() {
    RenditionSettings settings = roundHolds();
    settings.canProbe = true;
    settings.probeLength = 1200ms;
    return settings;
  }
  Clock::time_point start_ = Clock::time_point{} + 1h;
  RenditionController controller_{start_, probing()};
  Receiver receiver_{controller_, start_};
};

TEST_F(ProbingControllerTest, AClearProbeIsFollowedByTheUpStep) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  // Clean on medium: after the hold, a probe for full, and once it passed, the step up.
  auto up = receiver_.untilSwitch(10s, 40, 0);
  ASSERT_EQ(receiver_.probes().size(), 1u);
  EXPECT_EQ(receiver_.probes().front(),
            (RenditionCommand{RenditionCommand::Kind::Probe, Rendition::Full}));
  EXPECT_EQ(up, Rendition::Full);
}

TEST_F(ProbingControllerTest, ALossyProbeKeepsTheViewerDownAndDoublesTheHold) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  // Clean until the probe is asked for...
  while (receiver_.probes().empty()) ASSERT_TRUE(receiver_.run(200ms, 40, 0).empty());
  EXPECT_TRUE(controller_.probing());
  // ...which the link cannot carry: the viewer stays on medium, and no step down follows from
  // the probe's own losses.
  EXPECT_TRUE(receiver_.run(1800ms, 40, 12).empty());
  EXPECT_FALSE(controller_.probing());
  EXPECT_EQ(controller_.current(), Rendition::Medium);
  EXPECT_EQ(controller_.upHold(), 6s);
  EXPECT_TRUE(receiver_.run(5s, 40, 0).empty()) << "the next probe waits for the longer hold";
  EXPECT_EQ(receiver_.probes().size(), 1u);
}

TEST_F(ProbingControllerTest, LossesThatRetransmissionsRecoverStillFailTheProbe) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  while (receiver_.probes().empty()) receiver_.run(200ms, 40, 0);
  // 48 of the probe's 360 packets lost in its first reports, then all recovered (the
  // cumulative count goes back down): a link that needed retransmissions did not carry it.
  receiver_.run(400ms, 40, 24);
  EXPECT_TRUE(receiver_.run(1400ms, 40, -6).empty());
  EXPECT_EQ(controller_.current(), Rendition::Medium);
  EXPECT_EQ(controller_.upHold(), 6s);
}

TEST_F(ProbingControllerTest, NackedPacketsFailAProbeThatNoReportShowsLossFor) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  while (receiver_.probes().empty()) receiver_.run(200ms, 40, 0);
  // Reduced-size RTCP: the losses were NACKed and repaired between two reports.
  EXPECT_TRUE(controller_.onNacks(30, receiver_.now()));
  EXPECT_TRUE(receiver_.run(1s, 40, 0).empty());
  EXPECT_EQ(controller_.current(), Rendition::Medium);
  EXPECT_EQ(controller_.upHold(), 6s);
}

TEST_F(ProbingControllerTest, AProbeLastsLongEnoughToEmptyAPolicersBucket) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  while (receiver_.probes().empty()) receiver_.run(200ms, 40, 0);
  // A policer holds a second of its rate: a clean first second says nothing yet.
  EXPECT_TRUE(receiver_.run(1s, 40, 0).empty());
  EXPECT_TRUE(controller_.probing());
  EXPECT_EQ(receiver_.untilSwitch(1s, 40, 0), Rendition::Full);
}

TEST_F(ProbingControllerTest, AProbeEndsAtTheFirstNacksEvenWhenTheyAreFewOfItsPackets) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  while (receiver_.probes().empty()) receiver_.run(200ms, 40, 0);
  // 800 ms of packets came through, then the bucket ran dry: the media packets it dropped
  // are NACKed, few against all the probe's packets, yet the link has answered.
  receiver_.run(800ms, 100, 0);
  int abortAt = controller_.settings().probeAbortNacks;
  EXPECT_FALSE(controller_.onNacks(abortAt - 1, receiver_.now()));
  EXPECT_TRUE(controller_.probing());
  EXPECT_TRUE(controller_.onNacks(1, receiver_.now()));
  EXPECT_FALSE(controller_.probing());
  EXPECT_FALSE(controller_.lastProbe().carried);
  EXPECT_EQ(controller_.upHold(), 6s);
  EXPECT_TRUE(receiver_.run(5s, 40, 0).empty()) << "the next probe waits for the longer hold";
  EXPECT_EQ(controller_.current(), Rendition::Medium);
}

TEST_F(ProbingControllerTest, AProbeFromLowClimbsToFullWhenEveryPhaseIsCarried) {
  receiver_.run(2s, 40, 20);
  receiver_.run(2s, 40, 20);
  ASSERT_EQ(controller_.current(), Rendition::Low);
  // The link is free again: one probe, first as much as medium, then as much as full.
  auto switches = receiver_.run(10s, 40, 0);
  ASSERT_GE(receiver_.probes().size(), 2u);
  EXPECT_EQ(receiver_.probes()[0].rendition, Rendition::Medium);
  EXPECT_EQ(receiver_.probes()[1].rendition, Rendition::Full);
  ASSERT_FALSE(switches.empty());
  EXPECT_EQ(switches.front(), Rendition::Full) << "straight to full, not through medium";
}

TEST_F(ProbingControllerTest, NacksInALaterPhaseStepUpToTheRungTheEarlierPhaseCarried) {
  receiver_.run(2s, 40, 20);
  receiver_.run(2s, 40, 20);
  ASSERT_EQ(controller_.current(), Rendition::Low);
  while (receiver_.probes().size() < 2) ASSERT_TRUE(receiver_.run(200ms, 40, 0).empty());
  // Medium was carried; full is not. The step up waits for what the probe overran to drain.
  EXPECT_TRUE(controller_.onNacks(5, receiver_.now()));
  EXPECT_TRUE(receiver_.run(800ms, 40, 0).empty());
  EXPECT_EQ(receiver_.untilSwitch(400ms, 40, 0), Rendition::Medium);
  EXPECT_FALSE(controller_.probing());
}

TEST(RenditionDefaults, ABottleneckLiftedRightAfterAFailedProbeIsLeftForFullWithinTenSeconds) {
  RenditionSettings settings;
  settings.canProbe = true;
  Clock::time_point start = Clock::time_point{} + 1h;
  RenditionController controller(start, settings);
  Receiver receiver(controller, start);
  receiver.run(2s, 40, 20);
  receiver.run(2s, 40, 20);
  ASSERT_EQ(controller.current(), Rendition::Low);
  // Probes on the thin link fail until the hold is at its cap...
  for (int probe = 0; probe < 4; ++probe) {
    std::size_t before = receiver.probes().size();
    while (receiver.probes().size() == before) ASSERT_TRUE(receiver.run(200ms, 40, 0).empty());
    ASSERT_FALSE(controller.onNacks(settings.probeAbortNacks - 1, receiver.now()));
    ASSERT_TRUE(controller.onNacks(1, receiver.now()));
  }
  ASSERT_EQ(controller.upHold(), settings.upHoldMax);
  // ...and the bottleneck lifts just then.
  auto lifted = receiver.now();
  while (controller.current() != Rendition::Full && receiver.now() - lifted < 30s)
    receiver.run(200ms, 40, 0);
  EXPECT_EQ(controller.current(), Rendition::Full);
  EXPECT_LE(receiver.now() - lifted, 10s);
}

TEST_F(ProbingControllerTest, TheLossesAFailedProbeLeftInFlightDoNotStepTheViewerDown) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  while (receiver_.probes().empty()) receiver_.run(200ms, 40, 0);
  EXPECT_TRUE(controller_.onNacks(5, receiver_.now()));
  ASSERT_FALSE(controller_.probing());
  // The next reports count the packets the probe overran...
  EXPECT_TRUE(receiver_.run(1200ms, 40, 8).empty());
  // ...but losses that go on are the link's own.
  EXPECT_EQ(receiver_.untilSwitch(2s, 40, 8), Rendition::Low);
}

TEST_F(ProbingControllerTest, AnUpStepThatFailsAfterItsProbePassedMakesTheNextProbeSendMore) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  double first = controller_.probeOvershoot(Rendition::Full);
  EXPECT_EQ(first, controller_.settings().probeOvershoot);
  ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);    // the probe passed...
  ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);  // ...the rung did not hold
  EXPECT_GT(controller_.probeOvershoot(Rendition::Full), first);
  EXPECT_EQ(controller_.probeOvershoot(Rendition::Medium), first) << "only that rung's";
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(receiver_.untilSwitch(15s, 40, 0), Rendition::Full);
    ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);
  }
  EXPECT_EQ(controller_.probeOvershoot(Rendition::Full), controller_.settings().probeOvershootMax);
  // An up-step that holds gives the rung its first overshoot back.
  ASSERT_EQ(receiver_.untilSwitch(15s, 40, 0), Rendition::Full);
  receiver_.run(12s, 40, 0);
  EXPECT_EQ(controller_.probeOvershoot(Rendition::Full), first);
}

TEST_F(ProbingControllerTest, AGrownOvershootIsForgottenAfterAWhile) {
  ASSERT_EQ(receiver_.untilSwitch(2s, 40, 20), Rendition::Medium);
  ASSERT_EQ(receiver_.untilSwitch(10s, 40, 0), Rendition::Full);
  ASSERT_EQ(receiver_.untilSwitch(3s, 40, 20), Rendition::Medium);
  ASSERT_GT(controller_.probeOvershoot(Rendition::Full), controller_.settings().probeOvershoot);
  // Probes keep failing on the link's own losses; a minute later the first overshoot is back.
  receiver_.run(controller_.settings().probeOvershootMemory, 40, 2);
  EXPECT_EQ(controller_.probeOvershoot(Rendition::Full), controller_.settings().probeOvershoot);
}

TEST_F(ProbingControllerTest, NacksOutsideAProbeChangeNothing) {
  EXPECT_FALSE(controller_.onNacks(1000, receiver_.now()));
  EXPECT_TRUE(receiver_.run(10s, 40, 0).empty());
  EXPECT_EQ(controller_.current(), Rendition::Full);
}

TEST(RenditionName, MatchesTheWire) {
  EXPECT_EQ(renditionName(Rendition::Full), "full");
  EXPECT_EQ(renditionName(Rendition::Medium), "medium");
  EXPECT_EQ(renditionName(Rendition::Low), "low");
}

}  // namespace
}  // namespace seccam::camera
