#include "common/identity.hpp"

#include <cctype>

#include "common/text.hpp"

namespace seccam::identity {
namespace {
// ASCII letters and digits only (std::isalnum would follow the locale).
bool allOf(std::string_view s, std::string_view extra) {
  for (char c : s) {
    if (!text::isAsciiAlnum(c) && extra.find(c) == std::string_view::npos) return false;
  }
  return true;
}
}  // namespace

bool isValidCameraId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && allOf(id, "._-");
}

bool isValidSessionId(std::string_view id) {
  return id.size() >= 8 && id.size() <= 64 && allOf(id, "_-");
}

std::string newCameraId() {
  auto bytes = crypto::randomBytes(10);  // 80 bits = 16 base32 characters
  return "sc-" + crypto::crockfordBase32(bytes).substr(0, 16);
}

crypto::Digest deriveDeviceKey(std::span<const std::uint8_t> masterKey, std::string_view cameraId) {
  return crypto::hmacSha256(masterKey, cameraId);
}

std::string deriveClaimCode(std::span<const std::uint8_t> deviceKey) {
  auto mac = crypto::hmacSha256(deviceKey, "claim");
  return crypto::crockfordBase32(mac).substr(0, kClaimCodeLength);
}

std::string normalizeClaimCode(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (unsigned char c : code) {
    if (c == ' ' || c == '-') continue;
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

std::string signChallenge(std::span<const std::uint8_t> deviceKey, std::string_view nonce,
                          std::string_view cameraId) {
  std::string message;
  message.reserve(nonce.size() + 1 + cameraId.size());
  message.append(nonce).append("|").append(cameraId);
  return crypto::toHex(crypto::hmacSha256(deviceKey, message));
}

}  // namespace seccam::identity
