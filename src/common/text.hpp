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

// Calls visit(name, value) for each name=value pair of a URL query ("a=1&b=2", without the
// '?'), in order; empty pairs are skipped, a pair without '=' has an empty value. Nothing is
// percent-decoded: the callers accept only values that never need it.
template <class Visit>
void forEachQueryPair(std::string_view query, Visit&& visit) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    visit(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
  }
}

}  // namespace seccam::text
