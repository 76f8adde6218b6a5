#include "server/auth/password_hash.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/crypto.hpp"

namespace seccam::server::auth {
namespace {
// libsodium's "interactive" profile (2 passes, 64 MiB): about 50-100 ms per sign-in here;
// the worker pool bounds how many run at once, and so the memory they take.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
}  // namespace

std::string hashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

bool verifyPassword(const std::string& password, const std::string& storedHash) {
  return crypto_pwhash_str_verify(storedHash.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoyPasswordHash() {
  static const std::string hash = hashPassword(crypto::toHex(crypto::randomBytes(16)));
  return hash;
}

}  // namespace seccam::server::auth
