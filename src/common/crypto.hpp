// Cryptographic primitives used by server and camera: HMAC, hashes, encodings, randomness.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::crypto {

using Bytes = std::vector<std::uint8_t>;
using Digest = std::array<std::uint8_t, 32>;

std::span<const std::uint8_t> asBytes(std::string_view text);

Digest hmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);
Digest hmacSha256(std::span<const std::uint8_t> key, std::string_view message);
std::array<std::uint8_t, 20> hmacSha1(std::span<const std::uint8_t> key, std::string_view message);
Digest sha256(std::string_view data);

std::string toHex(std::span<const std::uint8_t> bytes);
std::optional<Bytes> fromHex(std::string_view hex);

std::string base64Encode(std::span<const std::uint8_t> bytes);
std::optional<Bytes> base64Decode(std::string_view text);

// Crockford base32 (alphabet 0-9 A-Z without I L O U), upper case, no padding.
std::string crockfordBase32(std::span<const std::uint8_t> bytes);

// Cryptographically secure random bytes (libsodium).
Bytes randomBytes(std::size_t count);

// Constant-time comparison; false when lengths differ.
bool constantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);
bool constantTimeEqual(std::string_view a, std::string_view b);

// Must be called once before any other function here (initialises libsodium).
void initialize();

}  // namespace seccam::crypto
