#include "server/auth/session_cookie.hpp"

namespace seccam::server::auth {
namespace {
std::string build(std::string_view value, long long maxAge, bool secure) {
  std::string out(kSessionCookieName);
  out.append("=").append(value);
  out.append("; HttpOnly; SameSite=Strict; Path=/; Max-Age=").append(std::to_string(maxAge));
  if (secure) out.append("; Secure");
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::string sessionCookie(std::string_view token, bool secure) {
  return build(token, kSessionLifetime.count(), secure);
}

std::string expiredSessionCookie(bool secure) { return build("", 0, secure); }

std::optional<std::string> findSessionToken(std::string_view cookieHeader) {
  while (!cookieHeader.empty()) {
    auto semicolon = cookieHeader.find(';');
    auto pair = trim(cookieHeader.substr(0, semicolon));
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == kSessionCookieName) {
      return std::string(trim(pair.substr(equals + 1)));
    }
    if (semicolon == std::string_view::npos) break;
    cookieHeader.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

}  // namespace seccam::server::auth
