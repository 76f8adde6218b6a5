// Open connections per address and in total: see connection_limiter.hpp.
#include "server/net/connection_limiter.hpp"

#include <mutex>
#include <unordered_map>

namespace seccam::server {

struct ConnectionLimiter::Slot::AddressCounts {
  std::string address;
  std::size_t normal = 0;
  std::size_t reserve = 0;
};

struct ConnectionLimiter::Slot::State {
  std::mutex mutex;
  std::size_t normal = 0;
  std::size_t reserve = 0;
  // Node-based: an entry's address stays put while other addresses come and go.
  std::unordered_map<std::string, AddressCounts> addresses;
};

ConnectionLimiter::Slot::Slot(Slot&& other) noexcept
    : state_(std::move(other.state_)), counts_(other.counts_), reserve_(other.reserve_) {
  other.counts_ = nullptr;
}

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    counts_ = other.counts_;
    reserve_ = other.reserve_;
    other.counts_ = nullptr;
  }
  return *this;
}

ConnectionLimiter::Slot::~Slot() { release(); }

void ConnectionLimiter::Slot::release() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    if (reserve_) {
      --state_->reserve;
      --counts_->reserve;
    } else {
      --state_->normal;
      --counts_->normal;
    }
    if (counts_->normal == 0 && counts_->reserve == 0) state_->addresses.erase(counts_->address);
  }
  state_.reset();
  counts_ = nullptr;
}

ConnectionLimiter::ConnectionLimiter(Limits limits)
    : limits_(limits), state_(std::make_shared<Slot::State>()) {}

ConnectionLimiter::~ConnectionLimiter() = default;

ConnectionLimiter::Ticket ConnectionLimiter::admit(const std::string& address,
                                                   bool exemptFromAddressCap) {
  std::lock_guard lock(state_->mutex);
  auto [it, inserted] = state_->addresses.try_emplace(address);
  auto& counts = it->second;
  if (inserted) counts.address = address;

  bool addressFull = !exemptFromAddressCap && limits_.perAddress != 0 &&
                     counts.normal >= limits_.perAddress;
  bool serverFull = state_->normal >= limits_.total;
  if (!addressFull && !serverFull) {
    ++state_->normal;
    ++counts.normal;
    return {Admission::admitted, Slot(state_, &counts, false)};
  }
  if (state_->reserve < limits_.reserve && counts.reserve < limits_.reservePerAddress) {
    ++state_->reserve;
    ++counts.reserve;
    return {serverFull ? Admission::overTotalCap : Admission::overAddressCap,
            Slot(state_, &counts, true)};
  }
  if (inserted) state_->addresses.erase(it);
  return {Admission::refused, Slot()};
}

std::size_t ConnectionLimiter::open() const {
  std::lock_guard lock(state_->mutex);
  return state_->normal + state_->reserve;
}

}  // namespace seccam::server
