// IP addresses as text: one canonical form, so that a configured address and a peer's compare
// equal however each was written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace seccam::server {

// `address` (surrounding blanks ignored) in its canonical text form ("::ffff:1.2.3.4" stays
// v6, "0001::1" becomes "1::1", an IPv6 zone "%eth0" is dropped), or nullopt when it is not
// an IP address.
std::optional<std::string> canonicalAddress(std::string_view address);

// `address` is a loopback address (127.0.0.0/8, ::1, or 127.x mapped into IPv6).
bool isLoopbackAddress(std::string_view address);

}  // namespace seccam::server
