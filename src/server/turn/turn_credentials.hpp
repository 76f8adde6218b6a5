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

inline constexpr unsigned short kDefaultTurnPort = 3478;
inline constexpr unsigned short kDefaultTurnTlsPort = 5349;

// The URLs of one coturn on `host` (a name, an IPv4 address or an IPv6 address, bracketed
// here): TURN over UDP and over TCP on `port`, and TURN over TLS on `tlsPort` (none when 0).
// All three by default, so that a viewer or camera whose network blocks UDP, or everything
// but TLS, still gets through.
std::vector<std::string> coturnUrls(const std::string& host, unsigned short port,
                                    unsigned short tlsPort);

// The RTCIceServer list for `subject`: one entry with every configured URL and fresh
// credentials (none when no secret is set); empty when no URL is configured.
std::vector<protocol::IceServer> iceServersFor(const TurnSettings& settings,
                                               const std::string& subject,
                                               std::chrono::system_clock::time_point now =
                                                   std::chrono::system_clock::now());

}  // namespace seccam::server::turn
