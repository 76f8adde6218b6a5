// The session cookie `seccam_session`: building Set-Cookie values and finding the token in
// a Cookie header.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace seccam::server::auth {

inline constexpr std::string_view kSessionCookieName = "seccam_session";
inline constexpr std::chrono::seconds kSessionLifetime{24 * 60 * 60};

// HttpOnly; SameSite=Strict; Path=/; Max-Age=86400, plus Secure when served over TLS.
std::string sessionCookie(std::string_view token, bool secure);
// Tells the browser to forget the cookie (Max-Age=0).
std::string expiredSessionCookie(bool secure);
// The value of seccam_session in a Cookie request header, if present.
std::optional<std::string> findSessionToken(std::string_view cookieHeader);

}  // namespace seccam::server::auth
