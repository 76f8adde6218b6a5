// Web Push message encryption (RFC 8291) in the aes128gcm content coding (RFC 8188): ECDH
// between a fresh application-server key and the browser's p256dh key, HKDF with the
// browser's auth secret, one AES-128-GCM record.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace seccam::server::push {

inline constexpr std::size_t kAuthSecretBytes = 16;
inline constexpr std::size_t kSaltBytes = 16;
// The record size written in the header; one record holds the whole message (push services
// accept 4096 bytes of body, so messages are far smaller than that).
inline constexpr std::uint32_t kRecordSize = 4096;
// Plaintext that still fits one record with its delimiter and tag, and a 4096-byte body.
inline constexpr std::size_t kMaxPlaintextBytes = 3993;

// A browser's p256dh key: an uncompressed point on P-256 (65 bytes).
bool isUsableBrowserKey(std::span<const std::uint8_t> p256dh);

// HKDF with SHA-256 (RFC 5869): extract with `salt`, expand to `length` bytes (at most 32 *
// 255).
std::vector<std::uint8_t> hkdfSha256(std::span<const std::uint8_t> salt,
                                     std::span<const std::uint8_t> ikm,
                                     std::span<const std::uint8_t> info, std::size_t length);

// The request body for `plaintext` to the browser with public key `uaPublic` (65 bytes) and
// `authSecret` (16 bytes): salt || record size || key ID length || sender's public key ||
// ciphertext. Throws PushCryptoError on a bad key or a message too long for one record.
std::vector<std::uint8_t> encryptPushMessage(std::span<const std::uint8_t> plaintext,
                                             std::span<const std::uint8_t> uaPublic,
                                             std::span<const std::uint8_t> authSecret);

// The same with the sender's private key and salt given (RFC 8291 appendix A checks this).
std::vector<std::uint8_t> encryptPushMessageWith(std::span<const std::uint8_t> plaintext,
                                                 std::span<const std::uint8_t> uaPublic,
                                                 std::span<const std::uint8_t> authSecret,
                                                 std::span<const std::uint8_t> senderPrivate,
                                                 std::span<const std::uint8_t> salt);

}  // namespace seccam::server::push
