#include "server/auth/session_token.hpp"

#include <cctype>

#include "common/crypto.hpp"

namespace seccam::server::auth {

std::string newSessionToken() { return crypto::toHex(crypto::randomBytes(kSessionTokenBytes)); }

std::string hashSessionToken(std::string_view token) {
  return crypto::toHex(crypto::sha256(token));
}

bool isWellFormedSessionToken(std::string_view token) {
  if (token.size() != kSessionTokenBytes * 2) return false;
  for (unsigned char c : token) {
    if (!std::isxdigit(c)) return false;
  }
  return true;
}

}  // namespace seccam::server::auth
