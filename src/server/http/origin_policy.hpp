// Which Origin is the server's own (the configured public-url behind a reverse proxy, or else
// the scheme this server speaks and the request's Host), and the cross-site guard of the API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace seccam::server::http {

// "scheme://host[:port]" of the server as the browser sees it.
std::string ownOrigin(std::string_view publicUrl, bool tls, std::string_view hostHeader);

// Origin header values compare case-insensitively on scheme and host.
bool isOwnOrigin(std::string_view origin, std::string_view publicUrl, bool tls,
                 std::string_view hostHeader);

// PROTOCOL.md: a state-changing API request is refused (403) when it comes from a foreign
// Origin (none at all is a script, and fine), or with a content type other than JSON, which
// is what a plain HTML form can send; an empty body may omit the type.
enum class CrossSiteCheck { allowed, foreignOrigin, notJson };
struct ApiRequestOrigin {
  std::string_view method;
  const std::optional<std::string>& origin;
  const std::optional<std::string>& contentType;
  bool hasBody;
  std::string_view hostHeader;
};
CrossSiteCheck checkCrossSite(const ApiRequestOrigin& request, std::string_view publicUrl,
                              bool tls);

}  // namespace seccam::server::http
