// Guess throttling without lockout: see attempt_throttle.hpp.
#include "server/auth/attempt_throttle.hpp"

#include <algorithm>

namespace seccam::server::auth {
namespace {
// Doublings of the pacing step kept track of: 2 s << 6 is past any sensible maximum.
constexpr std::size_t kPacingDoublings = 6;

std::chrono::seconds atLeastZero(std::optional<std::chrono::seconds> wait) {
  return wait.value_or(std::chrono::seconds(0));
}

std::unique_ptr<FailureWindow> makeWindow(const AttemptThrottle::WindowFactory& windows,
                                          const std::string& name, std::size_t maxFailures,
                                          std::chrono::seconds window) {
  if (windows) return windows(name, maxFailures, window);
  return std::make_unique<RateLimiter>(maxFailures, window);
}
}  // namespace

AttemptThrottle::AttemptThrottle(Limits limits, const WindowFactory& windows)
    : limits_(limits),
      byPair_(makeWindow(windows, "pair", limits.perPair, limits.window)),
      byAddress_(makeWindow(windows, "address", limits.perAddress, limits.window)),
      byAccount_(makeWindow(windows, "account", limits.accountPacingAfter + kPacingDoublings,
                            limits.window)),
      known_(makeWindow(windows, "known", 1, limits.knownFor)) {}

std::string AttemptThrottle::pairKey(const std::string& account, const std::string& address) {
  // Length-prefixed: no account name can be made to end where an address begins.
  return std::to_string(account.size()) + ":" + account + "@" + address;
}

std::chrono::seconds AttemptThrottle::accountPacing(const std::string& account,
                                                    const std::string& pair,
                                                    Clock::time_point now) {
  auto failures = byAccount_->count(account, now);
  if (failures < limits_.accountPacingAfter) return std::chrono::seconds(0);
  if (known_->count(pair, now) > 0) return std::chrono::seconds(0);
  auto doublings = std::min(failures - limits_.accountPacingAfter, kPacingDoublings);
  auto spacing = std::min(limits_.pacingStep * (1 << doublings), limits_.pacingMax);
  auto last = byAccount_->latest(account, now);
  if (!last) return std::chrono::seconds(0);
  auto wait = std::chrono::ceil<std::chrono::seconds>(*last + spacing - now);
  return std::max(wait, std::chrono::seconds(0));
}

std::chrono::seconds AttemptThrottle::wait(const std::optional<std::string>& account,
                                           const std::string& address, Clock::time_point now) {
  auto wait = atLeastZero(byAddress_->retryAfter(address, now));
  if (!account) return wait;
  auto pair = pairKey(*account, address);
  wait = std::max(wait, atLeastZero(byPair_->retryAfter(pair, now)));
  return std::max(wait, accountPacing(*account, pair, now));
}

void AttemptThrottle::failed(const std::optional<std::string>& account,
                             const std::string& address, Clock::time_point now) {
  byAddress_->recordFailure(address, now);
  if (!account) return;
  byPair_->recordFailure(pairKey(*account, address), now);
  byAccount_->recordFailure(*account, now);
}

void AttemptThrottle::succeeded(const std::string& account, const std::string& address,
                                Clock::time_point now) {
  auto pair = pairKey(account, address);
  byPair_->reset(pair);
  known_->recordFailure(pair, now);  // "failure" is the limiter's word: here, one sign-in
}

}  // namespace seccam::server::auth
