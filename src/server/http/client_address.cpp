// X-Forwarded-For from trusted proxies: see client_address.hpp.
#include "server/http/client_address.hpp"

#include <algorithm>

#include "server/net/ip_address.hpp"

namespace seccam::server::http {

namespace {
bool isTrusted(const std::string& address, const std::vector<std::string>& trusted) {
  return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
}
}  // namespace

std::string clientAddressFor(const std::string& peer, std::string_view forwardedFor,
                             const std::vector<std::string>& trustedProxies) {
  auto canonicalPeer = canonicalAddress(peer);
  if (!canonicalPeer || !isTrusted(*canonicalPeer, trustedProxies)) return peer;
  while (!forwardedFor.empty()) {
    auto comma = forwardedFor.rfind(',');
    auto entry = forwardedFor.substr(comma == std::string_view::npos ? 0 : comma + 1);
    forwardedFor =
        comma == std::string_view::npos ? std::string_view{} : forwardedFor.substr(0, comma);
    auto address = canonicalAddress(entry);
    if (!address) break;  // garbage: nothing left of it can be believed
    if (!isTrusted(*address, trustedProxies)) return *address;
  }
  return peer;
}

}  // namespace seccam::server::http
