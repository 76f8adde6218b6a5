// Rendition rules: see rendition_controller.hpp and docs/CONGESTION.md.
#include "camera/session/rendition_controller.hpp"

#include <algorithm>

namespace seccam::camera {

std::string_view renditionName(Rendition rendition) {
  switch (rendition) {
    case Rendition::Full:
      return "full";
    case Rendition::Medium:
      return "medium";
    case Rendition::Low:
      return "low";
  }
  return "full";
}

RenditionController::RenditionController(Clock::time_point now, RenditionSettings settings,
                                         Rendition start)
    : settings_(settings),
      current_(start),
      lastSwitch_(now),
      lastUnclean_(now),
      upHold_(settings.upHoldInitial) {
  overshoot_.fill(settings.probeOvershoot);
}

double RenditionController::probeOvershoot(Rendition rendition) const {
  auto rung = static_cast<std::size_t>(rendition);
  // Forgotten after a while: a link whose capacity changed deserves the first probe again.
  if (lastReportAt_ - overshootGrown_[rung] >= settings_.probeOvershootMemory)
    return settings_.probeOvershoot;
  return overshoot_[rung];
}

std::optional<double> RenditionController::windowLoss() const {
  std::int64_t expected = 0, lost = 0;
  for (const auto& interval : window_) {
    expected += interval.expected;
    lost += interval.lost;
  }
  if (expected < settings_.minPackets) return std::nullopt;
  // Retransmitted packets can make the cumulative count go down: never below no loss.
  return static_cast<double>(std::clamp<std::int64_t>(lost, 0, expected)) /
         static_cast<double>(expected);
}

void RenditionController::noteRoundTrip(const ReceiverReport& report) {
  if (!report.roundTrip) return;
  auto rtt = *report.roundTrip;
  // The minimum is remembered for a while only: a route that changed for good gets a new one.
  if (!minRoundTrip_ || rtt <= *minRoundTrip_ ||
      report.at - minRoundTripAt_ > settings_.minRoundTripMemory) {
    minRoundTrip_ = rtt;
    minRoundTripAt_ = report.at;
  }
  queueingReports_ = rtt > *minRoundTrip_ + settings_.queueDelay ? queueingReports_ + 1 : 0;
}

RenditionCommand RenditionController::moveTo(Rendition next, Clock::time_point now, bool up) {
  if (!up) {
    // Stepping down soon after stepping up: that probe failed, so the next one waits longer.
    if (lastSwitchWasUp_ && now - lastSwitch_ < settings_.failedProbeWithin) {
      upHold_ = std::min(upHold_ * 2, settings_.upHoldMax);
      // A probe let this rung through and the link could not carry it: the bottleneck's bucket
      // or queue swallowed the probe. The next probe for it sends more.
      auto rung = static_cast<std::size_t>(current_);
      overshoot_[rung] = std::min(probeOvershoot(current_) * settings_.probeOvershootGrowth,
                                  settings_.probeOvershootMax);
      overshootGrown_[rung] = now;
    }
  }
  current_ = next;
  lastSwitch_ = now;
  lastUnclean_ = now;
  lastSwitchWasUp_ = up;
  window_.clear();
  queueingReports_ = 0;
  return {RenditionCommand::Kind::Switch, next};
}

bool RenditionController::onNacks(int packets, Clock::time_point now) {
  if (!probe_ || probe_->aborted || packets <= 0) return false;
  probe_->nacked += packets;
  if (probe_->nacked < settings_.probeAbortNacks) return false;
  abandonProbe(now);
  return true;
}

void RenditionController::abandonProbe(Clock::time_point now) {
  if (!probe_) return;
  // The phase under way failed: nothing carried fails now. What the earlier phases carried is
  // stepped up to after `probeDrain`, once the queue or bucket the probe overran has drained
  // (stepping up into it at once loses the new rendition's key frame), at the first report
  // after that: a step up is a command, and commands come with reports.
  probe_->aborted = true;
  probe_->decideAt = now + settings_.probeDrain;
  if (!probe_->carried) endProbe(now);
}

std::optional<RenditionCommand> RenditionController::onProbeReport(Clock::time_point now,
                                                                   std::int64_t expected,
                                                                   std::int64_t lost) {
  probe_->expected += std::max<std::int64_t>(expected, 0);
  probe_->lost += std::max<std::int64_t>(lost, 0);
  if (!probe_->aborted && !probe_->decideAt && now >= probe_->phaseEnds) {
    probe_->carried = probe_->target;
    if (probe_->target != Rendition::Full) {
      // The next phase: as much as the rung above.
      probe_->target = static_cast<Rendition>(static_cast<int>(probe_->target) - 1);
      probe_->phaseEnds = now + settings_.probeLength;
      probe_->nacked = 0;
      return RenditionCommand{RenditionCommand::Kind::Probe, probe_->target};
    }
    probe_->decideAt = now + settings_.probeObservation;
  }
  if (probe_->decideAt && now >= *probe_->decideAt) return endProbe(now);
  return std::nullopt;
}

std::optional<RenditionCommand> RenditionController::endProbe(Clock::time_point now) {
  Probe probe = *probe_;
  probe_.reset();
  lastProbeEnd_ = now;
  // The probe's own losses say nothing about the rendition the viewer is on: start afresh.
  window_.clear();
  // A lost packet shows as a NACK at once, and in a report only until its retransmission
  // arrives: the larger of the two counts. An aborted phase's NACKs are its own verdict.
  std::int64_t probeLost = std::max(probe.lost, probe.aborted ? std::int64_t{0} : probe.nacked);
  bool carried =
      probe.carried && probe.expected > 0 &&
      (probe.aborted || static_cast<double>(probeLost) / static_cast<double>(probe.expected) <=
                            settings_.probeMaxLoss);
  lastProbe_ = {probe.expected, probe.lost, probe.nacked, carried,
                probe.carried.value_or(current_)};
  // The link carried a higher rate: step up (a step down soon after still counts as a failed
  // probe, for a queue can swallow a probe that the rendition then overflows).
  if (carried) {
    // The next probe may come as soon as the first did: the link was fine.
    upHold_ = settings_.upHoldInitial;
    return moveTo(*probe.carried, now, true);
  }
  upHold_ = std::min(upHold_ * 2, settings_.upHoldMax);
  lastUnclean_ = now;
  return std::nullopt;
}

std::optional<RenditionCommand> RenditionController::onReport(const ReceiverReport& report) {
  auto now = report.at;
  lastReportAt_ = now;
  noteRoundTrip(report);
  if (!previous_) {
    previous_ = report;
    return std::nullopt;
  }
  std::int64_t expected = static_cast<std::int64_t>(report.extendedHighestSeq) -
                          static_cast<std::int64_t>(previous_->extendedHighestSeq);
  std::int64_t lost = static_cast<std::int64_t>(report.cumulativeLost) - previous_->cumulativeLost;
  previous_ = report;
  if (expected < 0 || expected > (1 << 16)) {
    // A report older than the last one, or a restarted receiver: start counting again.
    window_.clear();
    return std::nullopt;
  }
  if (probe_) return onProbeReport(now, expected, lost);
  window_.push_back({now, expected, lost});
  while (!window_.empty() && now - window_.front().at > settings_.window) window_.pop_front();

  // An up-step that held long enough was a good probe: the next one may come quickly again.
  if (lastSwitchWasUp_ && now - lastSwitch_ >= settings_.probeSucceededAfter) {
    upHold_ = settings_.upHoldInitial;
    overshoot_[static_cast<int>(current_)] = settings_.probeOvershoot;
  }

  auto loss = windowLoss();
  // After a failed probe, the reports in flight still count the packets it overran (as after a
  // step down): they are no reason to leave a rendition the link carries.
  bool settled = now - lastSwitch_ >=
                     (lastSwitchWasUp_ ? settings_.settleAfterUp : settings_.settleAfterDown) &&
                 now - lastProbeEnd_ >= settings_.settleAfterDown;
  bool congested = (loss && *loss > settings_.stepDownLoss) || queueingReports_ >= 2;
  if (congested && settled && current_ != kLowestRendition)
    return moveTo(static_cast<Rendition>(static_cast<int>(current_) + 1), now, false);
  // Too few packets to tell (a small rendition, a short window) is not a sign of trouble.
  if ((loss && *loss >= settings_.cleanLoss) || queueingReports_ > 0) lastUnclean_ = now;
  if (current_ != Rendition::Full && now - lastUnclean_ >= upHold_ &&
      now - lastSwitch_ >= upHold_) {
    auto next = static_cast<Rendition>(static_cast<int>(current_) - 1);
    if (!settings_.canProbe) return moveTo(next, now, true);
    probe_ = Probe{next, std::nullopt, now + settings_.probeLength};
    return RenditionCommand{RenditionCommand::Kind::Probe, next};
  }
  return std::nullopt;
}

}  // namespace seccam::camera
