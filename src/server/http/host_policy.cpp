// Host headers the server answers: see host_policy.hpp.
#include "server/http/host_policy.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "server/net/ip_address.hpp"

namespace seccam::server::http {

std::string HostPolicy::hostName(std::string_view host) {
  while (!host.empty() && (host.back() == ' ' || host.back() == '\t')) host.remove_suffix(1);
  while (!host.empty() && (host.front() == ' ' || host.front() == '\t')) host.remove_prefix(1);
  std::string_view name;
  if (host.starts_with('[')) {
    // "[v6]" or "[v6]:port"
    auto close = host.find(']');
    if (close == std::string_view::npos) return {};
    auto rest = host.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return {};
    name = host.substr(1, close - 1);
  } else {
    auto colon = host.find(':');
    // More than one colon without brackets is not a Host header (RFC 9110).
    if (colon != std::string_view::npos && host.find(':', colon + 1) != std::string_view::npos) {
      return {};
    }
    name = host.substr(0, colon);
  }
  if (name.ends_with('.')) name.remove_suffix(1);
  return text::lowerCase(name);
}

HostPolicy::HostPolicy(const std::vector<std::string>& names) {
  for (const auto& configured : names) {
    auto name = hostName(configured);
    if (!name.empty()) names_.push_back(std::move(name));
  }
}

bool HostPolicy::allows(std::string_view hostHeader) const {
  if (hostHeader.empty()) return true;
  auto name = hostName(hostHeader);
  if (name.empty()) return false;
  if (name == "localhost" || canonicalAddress(name)) return true;
  return std::find(names_.begin(), names_.end(), name) != names_.end();
}

std::string hostOfUrl(std::string_view url) {
  auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) return {};
  auto authority = url.substr(schemeEnd + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  return HostPolicy::hostName(authority);
}

}  // namespace seccam::server::http
