// VAPID (RFC 8292): the server's P-256 key pair that identifies it to push services, made at
// first start and kept in the data folder (mode 0600, like the master key), and the signed
// JWT that goes with every push request.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::server::push {

// A VAPID JWT may live 24 hours at most (RFC 8292 §2); ours lives 12, so that a clock a
// little ahead of the push service's is still accepted.
inline constexpr std::chrono::hours kVapidTokenLifetime{12};

class VapidKey {
 public:
  // Reads the PEM private key in `file`, or creates it (0600, a fresh key) when missing.
  // Throws std::runtime_error when it cannot be read or created, is not a regular file, is
  // open to other users (any group or other permission bit) or holds no P-256 key.
  static VapidKey loadOrCreate(const std::filesystem::path& file);
  // From a raw private scalar (32 bytes), for tests.
  static VapidKey fromPrivateKey(const std::vector<std::uint8_t>& scalar);

  // The uncompressed public point (65 bytes) and its base64url text: the browser's
  // applicationServerKey and the `k=` of the Authorization header.
  const std::vector<std::uint8_t>& publicKey() const;
  std::string publicKeyBase64Url() const;

  // `Authorization: vapid t=<JWT>, k=<public key>` for a push service at `audience` (its
  // origin, "https://host[:port]"), with `subject` (mailto: or https: contact; omitted when
  // empty) and the expiry `expiresAt` (seconds since the epoch).
  std::string authorization(std::string_view audience, std::string_view subject,
                            std::int64_t expiresAt) const;
  // The JWT alone (ES256).
  std::string jwt(std::string_view audience, std::string_view subject,
                  std::int64_t expiresAt) const;

  struct Impl;  // defined in vapid.cpp

 private:
  explicit VapidKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace seccam::server::push
