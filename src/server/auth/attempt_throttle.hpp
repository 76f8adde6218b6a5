// Throttles guesses (passwords, claim codes) without handing attackers a lockout
// (docs/SECURITY.md explains the choice against OWASP's guidance). Three limits:
// - per account and address: a few failures, then that pair waits (the only hard stop an
//   account's own address can meet is its own mistakes);
// - per address, any accounts: more failures, then that address waits (one source
//   spraying many accounts);
// - per account, all addresses: past a threshold, attempts from addresses that have not
//   signed in to the account before are paced (one every few seconds, the spacing doubling
//   up to a minute) instead of refused; an address that has signed in to it is never paced.
// Accounts are keyed by the caller (lower-cased names, so case variants count together).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/auth/rate_limiter.hpp"

namespace seccam::server::auth {

class AttemptThrottle {
 public:
  using Clock = FailureWindow::Clock;
  // Makes the window of one limit (`name`: "pair", "address", "account", "known"); none: each
  // is a RateLimiter of this process. A deployment of several nodes shares them (docs/BUS.md).
  using WindowFactory = std::function<std::unique_ptr<FailureWindow>(
      const std::string& name, std::size_t maxFailures, std::chrono::seconds window)>;
  struct Limits {
    std::size_t perPair = 5;
    std::size_t perAddress = 50;
    std::size_t accountPacingAfter = 10;
    std::chrono::seconds window{15 * 60};
    std::chrono::seconds pacingStep{2};   // spacing at the threshold, doubled each failure
    std::chrono::seconds pacingMax{60};
    std::chrono::seconds knownFor{30 * 24 * 3600};  // how long a sign-in makes an address known
  };

  explicit AttemptThrottle(Limits limits, const WindowFactory& windows = {});

  // How long `address` must wait before it may try `account` (nullopt account: limits by
  // address only); zero when it may try now.
  std::chrono::seconds wait(const std::optional<std::string>& account, const std::string& address,
                            Clock::time_point now = Clock::now());
  void failed(const std::optional<std::string>& account, const std::string& address,
              Clock::time_point now = Clock::now());
  // The pair's failures are forgiven and the address becomes known to the account.
  void succeeded(const std::string& account, const std::string& address,
                 Clock::time_point now = Clock::now());

  const Limits& limits() const { return limits_; }

 private:
  static std::string pairKey(const std::string& account, const std::string& address);
  std::chrono::seconds accountPacing(const std::string& account, const std::string& pair,
                                     Clock::time_point now);

  Limits limits_;
  std::unique_ptr<FailureWindow> byPair_;
  std::unique_ptr<FailureWindow> byAddress_;
  std::unique_ptr<FailureWindow> byAccount_;  // enough failures to reach the longest spacing
  std::unique_ptr<FailureWindow> known_;  // a sign-in recorded as one event per pair, kept knownFor
};

}  // namespace seccam::server::auth
