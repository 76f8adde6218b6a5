#include "server/push/push_settings.hpp"

#include <algorithm>
#include <cctype>

namespace seccam::server::push {
namespace {
constexpr std::size_t kMaxEndpointChars = 2048;

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool hostAllowed(const std::string& host, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& entry) {
    auto rule = lowerCase(entry);
    if (!rule.empty() && rule.front() == '.') {
      return host.size() > rule.size() && host.ends_with(rule);
    }
    return host == rule;
  });
}
}  // namespace

std::optional<PushEndpoint> parsePushEndpoint(std::string_view url, bool allowHttp) {
  if (url.size() > kMaxEndpointChars) return std::nullopt;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;  // no spaces, controls or raw UTF-8
  }
  PushEndpoint endpoint;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (allowHttp && url.starts_with("http://")) {
    endpoint.tls = false;
    rest = url.substr(7);
  } else {
    return std::nullopt;
  }
  auto slash = rest.find_first_of("/?#");
  auto authority = rest.substr(0, slash);
  endpoint.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (endpoint.target.find('#') != std::string::npos) return std::nullopt;
  if (endpoint.target.front() != '/') endpoint.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no user info
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(":")) return std::nullopt;
      port = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::nullopt;
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](unsigned char c) {
          return std::isdigit(c);
        })) {
      return std::nullopt;
    }
    auto number = std::stoi(std::string(port));
    if (number < 1 || number > 65535) return std::nullopt;
  }
  endpoint.host = lowerCase(host);
  endpoint.port = port.empty() ? (endpoint.tls ? "443" : "80") : std::string(port);
  // The origin as browsers write it: the default port left out (RFC 6454).
  bool defaultPort = endpoint.port == (endpoint.tls ? "443" : "80");
  auto hostText = endpoint.host.find(':') != std::string::npos ? "[" + endpoint.host + "]"
                                                               : endpoint.host;
  endpoint.origin = std::string(endpoint.tls ? "https://" : "http://") + hostText +
                    (defaultPort ? "" : ":" + endpoint.port);
  return endpoint;
}

std::optional<std::string> pushEndpointProblem(std::string_view url,
                                               const PushSettings& settings) {
  auto endpoint = parsePushEndpoint(url, settings.allowHttp);
  if (!endpoint) return "The push endpoint must be an https:// URL.";
  if (!hostAllowed(endpoint->host, settings.endpointHosts)) {
    return "This server does not send notifications to " + endpoint->host + ".";
  }
  return std::nullopt;
}

}  // namespace seccam::server::push
