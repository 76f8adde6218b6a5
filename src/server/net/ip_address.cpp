#include "server/net/ip_address.hpp"

#include <boost/asio/ip/address.hpp>

namespace seccam::server {

std::optional<std::string> canonicalAddress(std::string_view address) {
  while (!address.empty() && (address.front() == ' ' || address.front() == '\t')) {
    address.remove_prefix(1);
  }
  while (!address.empty() && (address.back() == ' ' || address.back() == '\t')) {
    address.remove_suffix(1);
  }
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return std::nullopt;
  // An IPv6 zone ("%eth0", "%5") names the interface a link-local address is reached on; it
  // is not part of the address, and left in it would give one address endless forms.
  if (parsed.is_v6()) {
    auto v6 = parsed.to_v6();
    v6.scope_id(0);
    return v6.to_string();
  }
  return parsed.to_string();
}

bool isLoopbackAddress(std::string_view address) {
  boost::system::error_code ec;
  auto parsed = boost::asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6())
        .is_loopback();
  }
  return parsed.is_loopback();
}

}  // namespace seccam::server
