// Which address a request comes from. Per-address limits (sign-in and claim failures) need
// the person's address; behind a reverse proxy every TCP connection comes from the proxy, so
// the proxy's X-Forwarded-For is believed, but only from the proxies the operator listed
// (`trusted-proxies`): from anyone else the header is a client's claim and is ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::server::http {

// `peer`: the TCP peer's address; `forwardedFor`: the X-Forwarded-For header ("" if none);
// `trustedProxies`: canonical addresses (net/ip_address.hpp). When the peer is a trusted
// proxy, the header is read from the right, past further trusted proxies, to the first
// address that is not one; an entry that is not an IP address ends the walk. Otherwise, and
// whenever the header does not give an address, the peer itself.
std::string clientAddressFor(const std::string& peer, std::string_view forwardedFor,
                             const std::vector<std::string>& trustedProxies);

}  // namespace seccam::server::http
