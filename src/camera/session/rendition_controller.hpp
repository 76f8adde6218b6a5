// Which rendition of the quality ladder one viewer gets, from its RTCP receiver reports: the
// rules of docs/CONGESTION.md. Plain logic (the caller supplies the time and the reports);
// viewer_peer feeds it and carries out the switches.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

namespace seccam::camera {

// The ladder, best first. The numeric order is the order of the rungs.
enum class Rendition : std::uint8_t { Full = 0, Medium = 1, Low = 2 };
inline constexpr Rendition kLowestRendition = Rendition::Low;
// The wire name (PROTOCOL.md `quality`).
std::string_view renditionName(Rendition rendition);

// What a receiver report block says about our stream (RFC 3550 §6.4.1).
struct ReceiverReport {
  std::chrono::steady_clock::time_point at;  // when it arrived
  std::uint32_t extendedHighestSeq = 0;
  std::int32_t cumulativeLost = 0;
  std::optional<std::chrono::milliseconds> roundTrip;  // from LSR/DLSR, when the peer set them
};

struct RenditionSettings {
  using Clock = std::chrono::steady_clock;
  double stepDownLoss = 0.10;  // loss over the window above this: one rung down
  double cleanLoss = 0.02;     // loss below this counts as a clean link
  int minPackets = 20;         // a window with fewer expected packets says nothing
  Clock::duration window = std::chrono::seconds(1);
  // After a step down, the reports in flight still describe the bigger rendition: wait before
  // judging again. After a step up they describe a link that was fine: a short wait will do,
  // so that an up-step the link cannot carry is undone at once.
  Clock::duration settleAfterDown = std::chrono::milliseconds(1500);
  Clock::duration settleAfterUp = std::chrono::milliseconds(400);
  std::chrono::milliseconds queueDelay{400};  // round trip this far above its minimum
  Clock::duration minRoundTripMemory = std::chrono::seconds(30);
  Clock::duration upHoldInitial = std::chrono::milliseconds(2500);
  Clock::duration upHoldMax = std::chrono::seconds(5);
  Clock::duration failedProbeWithin = std::chrono::seconds(3);
  Clock::duration probeSucceededAfter = std::chrono::seconds(10);
  // Probing before an up-step (when the peer can send probes): extra traffic for `probeLength`
  // at `probeOvershoot` times the higher rung's rate, then the reports until `probeObservation`
  // after it decide. A policer's bucket (nftables' holds a second of its rate) lets any short
  // burst through: only a probe long enough and well above the rung's rate empties it (see
  // docs/CONGESTION.md, "Probes"). It ends at once when `probeAbortNacks` packets are NACKed
  // meanwhile: a link that drops media under the probe has answered, and every further moment
  // of probing costs the viewer picture.
  bool canProbe = false;
  Clock::duration probeLength = std::chrono::seconds(2);
  Clock::duration probeObservation = std::chrono::milliseconds(500);
  double probeOvershoot = 1.2;
  // An up-step that fails soon after its probe passed makes that rung's probes send more,
  // until an up-step to it holds or `probeOvershootMemory` has passed.
  double probeOvershootGrowth = 1.5;
  double probeOvershootMax = 2.0;
  Clock::duration probeOvershootMemory = std::chrono::seconds(60);
  double probeMaxLoss = 0.10;
  int probeAbortNacks = 2;
  Clock::duration probeDrain = std::chrono::seconds(1);
};

// What the controller asks of the peer.
struct RenditionCommand {
  enum class Kind {
    Switch,  // move the viewer to `rendition` (at that encoder's next key frame)
    Probe,   // send probe traffic as if on `rendition` for probeLength, then report on
  };
  Kind kind;
  Rendition rendition;
  friend bool operator==(const RenditionCommand&, const RenditionCommand&) = default;
};

class RenditionController {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RenditionController(Clock::time_point now, RenditionSettings settings = {},
                               Rendition start = Rendition::Full);
  const RenditionSettings& settings() const { return settings_; }
  // How many times its rung's bitrate a probe for `rendition` sends.
  double probeOvershoot(Rendition rendition) const;

  // What this report calls for, if anything. After a Switch the controller counts the viewer
  // as on the new rendition; after a Probe it expects the probe to go out at once (a Probe
  // during a probe raises its rate to the next rung's).
  std::optional<RenditionCommand> onReport(const ReceiverReport& report);
  // Packets the viewer asked for again (generic NACKs): during a probe, what the probe cost.
  // True when they end the probe now (the peer stops sending probe traffic at once).
  bool onNacks(int packets, Clock::time_point now);
  // The peer could not send the probe's current phase: it ends as if NACKs had ended it.
  void abandonProbe(Clock::time_point now);
  bool probing() const { return probe_.has_value(); }
  // The last probe's figures, for the log: packets expected meanwhile, lost, NACKed.
  struct ProbeOutcome {
    std::int64_t expected = 0;
    std::int64_t lost = 0;
    std::int64_t nacked = 0;
    bool carried = false;
    Rendition reached = Rendition::Full;  // where the viewer goes, when carried
  };
  const ProbeOutcome& lastProbe() const { return lastProbe_; }

  Rendition current() const { return current_; }
  Clock::duration upHold() const { return upHold_; }
  // Loss over the current window, when it holds enough packets to say.
  std::optional<double> windowLoss() const;

 private:
  struct Interval {
    Clock::time_point at;
    std::int64_t expected;
    std::int64_t lost;
  };
  // A probe climbs the ladder: one phase a rung above the current one, each `probeLength`
  // long; a phase without NACKs makes its rung carried, and the next phase tries the rung
  // above, so a viewer on `low` whose link is free again gets back to `full` in one probe.
  struct Probe {
    Rendition target;                  // the rung the current phase sends as much as
    std::optional<Rendition> carried;  // the highest rung a finished phase carried
    Clock::time_point phaseEnds;
    std::optional<Clock::time_point> decideAt;  // set once the last phase has ended
    bool aborted = false;                       // NACKs ended it: decided at the next report
    std::int64_t expected = 0;
    std::int64_t lost = 0;    // losses only: what retransmissions recovered later still counts
    std::int64_t nacked = 0;  // packets NACKed in this phase (repaired before any report, maybe)
  };
  RenditionCommand moveTo(Rendition next, Clock::time_point now, bool up);
  std::optional<RenditionCommand> onProbeReport(Clock::time_point now, std::int64_t expected,
                                                std::int64_t lost);
  void noteRoundTrip(const ReceiverReport& report);
  // Decides the probe: up to the highest rung it carried, or a failed probe.
  std::optional<RenditionCommand> endProbe(Clock::time_point now);

  RenditionSettings settings_;
  Rendition current_;
  std::optional<ReceiverReport> previous_;
  std::deque<Interval> window_;
  Clock::time_point lastSwitch_;
  Clock::time_point lastUnclean_;  // the last report whose window was not clean
  bool lastSwitchWasUp_ = false;
  Clock::time_point lastProbeEnd_;     // when the last probe was decided
  std::array<double, 3> overshoot_{};  // per rung: probeOvershoot, grown by failed up-steps
  std::array<Clock::time_point, 3> overshootGrown_{};  // when each was last grown
  Clock::time_point lastReportAt_;
  Clock::duration upHold_;
  std::optional<std::chrono::milliseconds> minRoundTrip_;
  Clock::time_point minRoundTripAt_;
  int queueingReports_ = 0;  // consecutive reports with the round trip above min + queueDelay
  std::optional<Probe> probe_;
  ProbeOutcome lastProbe_;
};

}  // namespace seccam::camera
