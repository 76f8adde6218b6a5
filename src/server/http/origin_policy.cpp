#include "server/http/origin_policy.hpp"

#include "common/text.hpp"

namespace seccam::server::http {
namespace {
// Drops the default port so that "https://a:443" and "https://a" are the same origin.
std::string canonical(std::string origin) {
  origin = text::lowerCase(origin);
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

namespace {
bool isStateChanging(std::string_view method) {
  return method == "POST" || method == "PATCH" || method == "DELETE" || method == "PUT";
}

bool isJsonContentType(std::string_view contentType) {
  auto mediaType = contentType.substr(0, contentType.find(';'));
  while (!mediaType.empty() && mediaType.back() == ' ') mediaType.remove_suffix(1);
  return text::lowerCase(mediaType) == "application/json";
}
}  // namespace

CrossSiteCheck checkCrossSite(const ApiRequestOrigin& request, std::string_view publicUrl,
                              bool tls) {
  if (!isStateChanging(request.method)) return CrossSiteCheck::allowed;
  if (request.origin && !isOwnOrigin(*request.origin, publicUrl, tls, request.hostHeader)) {
    return CrossSiteCheck::foreignOrigin;
  }
  if (request.contentType ? !isJsonContentType(*request.contentType) : request.hasBody) {
    return CrossSiteCheck::notJson;
  }
  return CrossSiteCheck::allowed;
}

}  // namespace seccam::server::http
