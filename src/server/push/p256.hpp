// P-256 keys for Web Push (OpenSSL 3): the application server's ECDH and ECDSA keys, and the
// browsers' public keys, moved in and out as the raw bytes Web Push writes (65-byte
// uncompressed points, 32-byte private scalars). Private to src/server/push.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace seccam::server::push {

using Bytes = std::vector<std::uint8_t>;

class PushCryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kP256PublicKeyBytes = 65;  // 0x04 || X || Y
inline constexpr std::size_t kP256PrivateKeyBytes = 32;

struct PkeyDeleter {
  void operator()(evp_pkey_st* key) const;
};
using Pkey = std::unique_ptr<evp_pkey_st, PkeyDeleter>;

// A fresh key pair.
Pkey generateP256Key();
// The key pair of a private scalar (its public point computed).
Pkey p256KeyFromPrivate(std::span<const std::uint8_t> privateScalar);
// A public key; throws PushCryptoError unless `point` is an uncompressed point on the curve.
Pkey p256PublicKey(std::span<const std::uint8_t> point);
bool isP256Point(std::span<const std::uint8_t> point);

Bytes publicPoint(const Pkey& key);    // 65 bytes
Bytes privateScalar(const Pkey& key);  // 32 bytes
// ECDH: the shared X coordinate (32 bytes).
Bytes ecdh(const Pkey& own, const Pkey& peer);
// ECDSA with SHA-256, as JWS ES256 writes it: r || s, 32 bytes each.
Bytes signEs256(const Pkey& key, std::string_view message);

// PEM (PKCS#8) text of a private key, and back.
std::string privateKeyPem(const Pkey& key);
Pkey privateKeyFromPem(std::string_view pem);

}  // namespace seccam::server::push
