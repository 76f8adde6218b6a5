// What one viewer's payloader sent lately, for the two things that need it (docs/CONGESTION.md):
// which of the viewer's NACKs are worth answering (the retransmission filter), and which
// packets a probe sends copies of. Plain logic, not thread-safe: viewer_peer holds it under a
// mutex, since packets are noted on the streaming thread and read on RTCP and loop threads.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace seccam::camera {

class SentHistory {
 public:
  using Clock = std::chrono::steady_clock;
  struct Packet {
    std::uint16_t seq = 0;
    std::uint32_t bytes = 0;
    Clock::time_point at;
  };

  // Retransmissions may add this share of the rendition's bitrate, in bursts of up to
  // kRetransmitBurst (libwebrtc likewise caps retransmissions by a rate): random loss of a few
  // percent costs a few percent, and a link that drops most packets is not flooded with
  // repeats of repeats.
  static constexpr double kRetransmissionShare = 0.5;
  static constexpr auto kRetransmitBurst = std::chrono::milliseconds(200);
  // Packets after the current rendition's first that it is remembered for: by then whatever
  // came before has left rtprtxsend's history, and sequence numbers half the 16-bit circle
  // apart would compare the wrong way.
  static constexpr std::uint16_t kRenditionStartMemory = 8192;

  void noteSent(const Packet& packet);
  // The next packet noted is the first of a new rendition (its key frame is on its way).
  void markRenditionStart() { markStart_ = true; }
  // The current rendition's bitrate: the retransmission budget follows it.
  void setRenditionBitrate(int kbps, Clock::time_point now);
  // Whether to answer a NACK for `seq`: not for a packet sent before the current rendition
  // began (its key frame made it useless), and not beyond the budget. A packet too old for
  // the history is let through (rtprtxsend has none to send either).
  bool allowRetransmission(std::uint16_t seq, Clock::time_point now);

  // Bytes sent since `since`.
  double bytesSince(Clock::time_point since) const;
  // Sequence numbers of packets to copy for a probe: newest first among the last `depth`
  // packets that are at least `minAge` old, as many as `credit` bytes pay for; the bytes
  // spent are taken off `credit`.
  std::vector<std::uint16_t> probeCopies(double& credit, Clock::time_point now,
                                         Clock::duration minAge, std::size_t depth) const;

 private:
  const Packet& newest(std::size_t i) const { return ring_[(count_ - 1 - i) % ring_.size()]; }
  std::size_t stored() const { return count_ < ring_.size() ? count_ : ring_.size(); }

  std::array<Packet, 512> ring_{};
  std::size_t count_ = 0;
  bool markStart_ = true;
  std::optional<std::uint16_t> renditionStart_;
  double budgetBytesPerSecond_ = 0;
  double tokens_ = 0;
  Clock::time_point tokensAt_;
};

}  // namespace seccam::camera
