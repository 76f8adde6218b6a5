// PROTOCOL.md's validation rules, one function per field: nullopt when the value is
// acceptable, otherwise the message shown to the person next to that field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace seccam::server::api {

inline constexpr std::size_t kUsernameMin = 3, kUsernameMax = 32;
inline constexpr std::size_t kPasswordMin = 10, kPasswordMax = 128;
inline constexpr std::size_t kCameraNameMax = 64;

std::optional<std::string> usernameProblem(std::string_view username);
std::optional<std::string> passwordProblem(std::string_view password);
std::optional<std::string> cameraIdProblem(std::string_view cameraId);
std::optional<std::string> claimCodeProblem(std::string_view claimCode);
std::optional<std::string> cameraNameProblem(std::string_view name);

// Number of Unicode code points in valid UTF-8 text.
std::size_t codePointCount(std::string_view utf8);

}  // namespace seccam::server::api
