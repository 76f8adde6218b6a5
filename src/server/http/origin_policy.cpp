#include "server/http/origin_policy.hpp"

#include <cctype>

namespace seccam::server::http {
namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Drops the default port so that "https://a:443" and "https://a" are the same origin.
std::string canonical(std::string origin) {
  origin = lower(origin);
  auto dropSuffix = [&](std::string_view scheme, std::string_view port) {
    if (origin.starts_with(scheme) && origin.ends_with(port)) {
      origin.resize(origin.size() - port.size());
    }
  };
  dropSuffix("http://", ":80");
  dropSuffix("https://", ":443");
  return origin;
}
}  // namespace

std::string ownOrigin(std::string_view publicUrl, bool tls, std::string_view hostHeader) {
  if (!publicUrl.empty()) {
    auto schemeEnd = publicUrl.find("://");
    auto pathStart = schemeEnd == std::string_view::npos ? std::string_view::npos
                                                         : publicUrl.find('/', schemeEnd + 3);
    return canonical(std::string(publicUrl.substr(0, pathStart)));
  }
  return canonical(std::string(tls ? "https://" : "http://") + std::string(hostHeader));
}

bool isOwnOrigin(std::string_view origin, std::string_view publicUrl, bool tls,
                 std::string_view hostHeader) {
  if (origin.empty() || (publicUrl.empty() && hostHeader.empty())) return false;
  return canonical(std::string(origin)) == ownOrigin(publicUrl, tls, hostHeader);
}

}  // namespace seccam::server::http
