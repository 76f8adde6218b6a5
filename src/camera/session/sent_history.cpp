// The retransmission filter and probe copies: see sent_history.hpp and docs/CONGESTION.md.
#include "camera/session/sent_history.hpp"

#include <algorithm>

namespace seccam::camera {

void SentHistory::noteSent(const Packet& packet) {
  if (markStart_) {
    renditionStart_ = packet.seq;
    markStart_ = false;
  } else if (renditionStart_ &&
             static_cast<std::uint16_t>(packet.seq - *renditionStart_) > kRenditionStartMemory) {
    renditionStart_.reset();
  }
  ring_[count_++ % ring_.size()] = packet;
}

void SentHistory::setRenditionBitrate(int kbps, Clock::time_point now) {
  budgetBytesPerSecond_ = kbps * 1000.0 / 8 * kRetransmissionShare;
  tokens_ = 0;
  tokensAt_ = now;
}

bool SentHistory::allowRetransmission(std::uint16_t seq, Clock::time_point now) {
  // Before the current rendition's first packet (sequence numbers wrap at 2^16).
  if (renditionStart_ && static_cast<std::int16_t>(seq - *renditionStart_) < 0) return false;
  if (budgetBytesPerSecond_ <= 0) return true;
  double burst = budgetBytesPerSecond_ * std::chrono::duration<double>(kRetransmitBurst).count();
  tokens_ = std::min(burst, tokens_ + budgetBytesPerSecond_ *
                                          std::chrono::duration<double>(now - tokensAt_).count());
  tokensAt_ = now;
  std::uint32_t bytes = 0;
  for (std::size_t i = 0; i < stored() && bytes == 0; ++i) {
    if (newest(i).seq == seq) bytes = newest(i).bytes;
  }
  if (bytes == 0) return true;
  if (tokens_ < bytes) return false;
  tokens_ -= bytes;
  return true;
}

double SentHistory::bytesSince(Clock::time_point since) const {
  double bytes = 0;
  for (std::size_t i = 0; i < stored() && newest(i).at >= since; ++i) bytes += newest(i).bytes;
  return bytes;
}

std::vector<std::uint16_t> SentHistory::probeCopies(double& credit, Clock::time_point now,
                                                    Clock::duration minAge,
                                                    std::size_t depth) const {
  std::vector<std::uint16_t> seqs;
  for (std::size_t i = 0; i < std::min(stored(), depth); ++i) {
    const Packet& copy = newest(i);
    if (now - copy.at < minAge) continue;
    if (credit < copy.bytes) break;
    credit -= copy.bytes;
    seqs.push_back(copy.seq);
  }
  return seqs;
}

}  // namespace seccam::camera
