// The [push] settings of seccam-server (README's configuration reference) and the rules for
// a subscription's endpoint: the server POSTs to whatever URL a browser handed it, so only
// the push services' own hosts are accepted (anything else would let a signed-in user make
// the server send requests into its own network).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::server::push {

// The push services of Chrome/Edge on Android and desktop (FCM), Firefox (Mozilla's
// autopush), Edge on Windows (WNS) and Safari (Apple). An entry starting with '.' matches
// every host under it.
inline const std::vector<std::string> kDefaultEndpointHosts = {
    "fcm.googleapis.com", "updates.push.services.mozilla.com", ".notify.windows.com",
    "web.push.apple.com"};
inline constexpr int kDefaultPushWorkers = 2;
// How long a push service keeps a message for a browser that is offline: an event older
// than a day is no longer worth a notification.
inline constexpr std::chrono::seconds kDefaultPushTtl{24 * 3600};
// Push requests waiting for a sender; past it new ones are dropped (and counted in the log).
inline constexpr std::size_t kDefaultPushQueue = 1000;
// Browsers (subscriptions) an account may register; a new one past it replaces the oldest.
inline constexpr std::size_t kMaxSubscriptionsPerAccount = 20;

struct PushSettings {
  // VAPID `sub`: how a push service can reach the operator (mailto: or https: URL).
  std::string contact;
  std::vector<std::string> endpointHosts = kDefaultEndpointHosts;
  // Plain http:// endpoints (and any port): only for a local test endpoint.
  bool allowHttp = false;
  int workers = kDefaultPushWorkers;  // push requests in flight at once
  std::chrono::seconds ttl = kDefaultPushTtl;
  std::size_t maxQueued = kDefaultPushQueue;
};

struct PushEndpoint {
  bool tls = true;
  std::string host;    // without brackets
  std::string port;    // "443" unless given
  std::string target;  // path and query, at least "/"
  std::string origin;  // "https://host[:port]", the VAPID audience
};

// The endpoint's parts, when it is an https URL with a host (or http with allowHttp).
std::optional<PushEndpoint> parsePushEndpoint(std::string_view url, bool allowHttp);
// nullopt when the server may send to `url`; otherwise the message for the API's 400.
std::optional<std::string> pushEndpointProblem(std::string_view url, const PushSettings& settings);

}  // namespace seccam::server::push
