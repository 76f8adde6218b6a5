// TURN credentials in the TURN REST API scheme that coturn's use-auth-secret checks
// (PROTOCOL.md "TURN credentials"): short-lived, minted per request, never stored.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/protocol.hpp"

namespace seccam::server::turn {

struct TurnCredentials {
  std::string username;    // "<unix expiry time>:<subject>"
  std::string credential;  // base64(HMAC-SHA1(secret, username))
};

TurnCredentials mintTurnCredentials(const std::string& secret, const std::string& subject,
                                    std::chrono::system_clock::time_point expiry);

struct TurnSettings {
  std::string secret;
  std::vector<std::string> urls;  // turn:, turns: and stun: URLs
  std::chrono::seconds ttl{86400};
};

// The RTCIceServer list for `subject`: one entry with every configured URL and fresh
// credentials (none when no secret is set); empty when no URL is configured.
std::vector<protocol::IceServer> iceServersFor(const TurnSettings& settings,
                                               const std::string& subject,
                                               std::chrono::system_clock::time_point now =
                                                   std::chrono::system_clock::now());

}  // namespace seccam::server::turn
