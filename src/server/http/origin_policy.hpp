// Which Origin is the server's own: the configured public-url (behind a reverse proxy), or
// else the scheme this server speaks and the request's Host.
#pragma once

#include <string>
#include <string_view>

namespace seccam::server::http {

// "scheme://host[:port]" of the server as the browser sees it.
std::string ownOrigin(std::string_view publicUrl, bool tls, std::string_view hostHeader);

// Origin header values compare case-insensitively on scheme and host.
bool isOwnOrigin(std::string_view origin, std::string_view publicUrl, bool tls,
                 std::string_view hostHeader);

}  // namespace seccam::server::http
