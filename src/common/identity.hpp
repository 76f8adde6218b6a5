// Camera identities: IDs, device keys, claim codes and the HMAC challenge signature (PROTOCOL.md).
#pragma once

#include <string>
#include <string_view>

#include "common/crypto.hpp"

namespace seccam::identity {

inline constexpr std::size_t kDeviceKeySize = 32;
inline constexpr std::size_t kClaimCodeLength = 10;

// ^[A-Za-z0-9._-]{1,64}$
bool isValidCameraId(std::string_view id);
// ^[A-Za-z0-9_-]{8,64}$
bool isValidSessionId(std::string_view id);

// "sc-" + 16 Crockford base32 characters from fresh randomness.
std::string newCameraId();

// K = HMAC-SHA256(master key, camera ID).
crypto::Digest deriveDeviceKey(std::span<const std::uint8_t> masterKey, std::string_view cameraId);

// First 10 characters of Crockford base32 of HMAC-SHA256(device key, "claim").
std::string deriveClaimCode(std::span<const std::uint8_t> deviceKey);

// Upper case with spaces and dashes removed, so that "abcd-efgh 12" matches "ABCDEFGH12".
std::string normalizeClaimCode(std::string_view code);

// hex(HMAC-SHA256(K, nonce + "|" + cameraId)), nonce being the base64 text as sent.
std::string signChallenge(std::span<const std::uint8_t> deviceKey, std::string_view nonce,
                          std::string_view cameraId);

}  // namespace seccam::identity
