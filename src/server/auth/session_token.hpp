// Session tokens: 32 random bytes given to the browser; only their SHA-256 is stored.
#pragma once

#include <string>
#include <string_view>

namespace seccam::server::auth {

inline constexpr std::size_t kSessionTokenBytes = 32;

// 64 hex digits of fresh randomness.
std::string newSessionToken();
// What the store keeps: hex(SHA-256(token text)).
std::string hashSessionToken(std::string_view token);
// A token has exactly the shape newSessionToken makes (anything else is never looked up).
bool isWellFormedSessionToken(std::string_view token);

}  // namespace seccam::server::auth
