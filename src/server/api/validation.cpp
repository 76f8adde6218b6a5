#include "server/api/validation.hpp"

#include <cctype>

#include "common/identity.hpp"
#include "common/text.hpp"

namespace seccam::server::api {
namespace {
constexpr std::string_view kCrockfordAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}  // namespace

std::size_t codePointCount(std::string_view utf8) {
  std::size_t count = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++count;  // continuation bytes do not start a character
  }
  return count;
}

std::optional<std::string> usernameProblem(std::string_view username) {
  if (username.size() < kUsernameMin || username.size() > kUsernameMax) {
    return "Username must be 3 to 32 characters long.";
  }
  for (char c : username) {
    if (!text::isAsciiAlnum(c) && c != '.' && c != '_' && c != '-') {
      return "Username may only contain letters, digits, '.', '_' and '-'.";
    }
  }
  return std::nullopt;
}

std::optional<std::string> passwordProblem(std::string_view password) {
  auto length = codePointCount(password);
  if (length < kPasswordMin) return "Password must be at least 10 characters.";
  if (length > kPasswordMax) return "Password must be at most 128 characters.";
  bool lower = false, upper = false, digit = false, symbol = false;
  for (unsigned char c : password) {
    if (c < 0x80 && (std::isspace(c) || std::iscntrl(c))) {
      return "Password must not contain spaces or control characters.";
    }
    if (c >= 0x80) symbol = true;  // any non-ASCII character counts as a symbol
    else if (std::islower(c)) lower = true;
    else if (std::isupper(c)) upper = true;
    else if (std::isdigit(c)) digit = true;
    else symbol = true;
  }
  if (!lower) return "Password must contain a lower-case letter.";
  if (!upper) return "Password must contain an upper-case letter.";
  if (!digit) return "Password must contain a digit.";
  if (!symbol) return "Password must contain a symbol.";
  return std::nullopt;
}

std::optional<std::string> cameraIdProblem(std::string_view cameraId) {
  if (cameraId.empty()) return "Enter the camera ID printed on the camera's label.";
  if (!identity::isValidCameraId(cameraId)) {
    return "Camera ID must be 1 to 64 letters, digits, '.', '_' or '-'.";
  }
  return std::nullopt;
}

std::optional<std::string> claimCodeProblem(std::string_view claimCode) {
  if (claimCode.empty()) return "Enter the claim code printed on the camera's label.";
  auto normalized = identity::normalizeClaimCode(claimCode);
  if (normalized.size() != identity::kClaimCodeLength ||
      normalized.find_first_not_of(kCrockfordAlphabet) != std::string::npos) {
    return "Claim code must be the 10 letters and digits printed on the camera's label.";
  }
  return std::nullopt;
}

std::optional<std::string> cameraNameProblem(std::string_view name) {
  auto length = codePointCount(name);
  if (length == 0) return "Name must not be empty.";
  if (length > kCameraNameMax) return "Name must be at most 64 characters.";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) return "Name must not contain control characters.";
  }
  bool onlySpaces = name.find_first_not_of(' ') == std::string_view::npos;
  if (onlySpaces) return "Name must not be blank.";
  return std::nullopt;
}

}  // namespace seccam::server::api
