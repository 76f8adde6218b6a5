#include "server/auth/password_hash.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/crypto.hpp"

namespace seccam::server::auth {
namespace {
// Argon2id, 2 passes over 19 MiB, one lane: OWASP's recommended configuration for Argon2id.
// libsodium's "interactive" profile (64 MiB) streamed so much memory that, during a storm of
// 50 sign-ins a second on two cores, it evicted the IO threads' caches and multiplied
// signaling's p99 latency by 7-12; with 19 MiB the storm leaves it unchanged
// (docs/PERFORMANCE.md). A stored hash carries its own parameters, so hashes made with
// other parameters still verify.
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimit = 19u * 1024 * 1024;
#else
// Fuzzer builds only (fuzz/, docs/FUZZING.md): the cheapest Argon2id, so that a sign-in the
// fuzzer makes costs microseconds, not tens of milliseconds.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_MIN;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_MIN;
#endif
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
