// ASCII text rules shared by both programs (header names, hex, usernames): locale-free.
#pragma once

#include <string>
#include <string_view>

namespace seccam::text {

constexpr char lowerCase(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string lowerCase(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lowerCase(c);
  return out;
}

constexpr bool isAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace seccam::text
