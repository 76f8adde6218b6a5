// Password hashing with Argon2id (libsodium crypto_pwhash_str): slow on purpose, so it runs
// on the worker pool, never on an IO thread.
#pragma once

#include <string>

namespace seccam::server::auth {

// The self-describing hash text (algorithm, parameters, salt, hash) to store.
std::string hashPassword(const std::string& password);
bool verifyPassword(const std::string& password, const std::string& storedHash);

// A valid hash of a random password: verifying against it costs the same as a real check,
// so that a sign-in for an unknown username takes as long as a wrong password.
const std::string& decoyPasswordHash();

}  // namespace seccam::server::auth
