// Base64url without padding (RFC 4648 §5): how Web Push writes keys, salts and JWT parts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::server::push {

std::string base64UrlEncode(std::span<const std::uint8_t> bytes);
std::string base64UrlEncode(std::string_view text);
// nullopt for any character outside the alphabet; padding ('=') at the end is accepted, as
// some browsers' older serialisations carry it.
std::optional<std::vector<std::uint8_t>> base64UrlDecode(std::string_view text);

}  // namespace seccam::server::push
