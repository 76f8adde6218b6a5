// Which Host headers the server answers (DNS rebinding): a page on attacker.example whose
// name is made to resolve to this server reaches it with `Host: attacker.example`, and
// without public-url the server would take that for its own origin and pass the page's
// Origin check. Only names the operator gave, IP literals and localhost are served.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace seccam::server::http {

class HostPolicy {
 public:
  // `names`: the `allowed-hosts` setting and the host of `public-url`, as configured (case and
  // a trailing dot do not matter; a port is ignored).
  explicit HostPolicy(const std::vector<std::string>& names);

  // A Host header (with or without a port) this server answers: an IP literal (a rebinding
  // needs a DNS name, and a browser that reached us by address sends that address),
  // `localhost` (browsers resolve it to loopback themselves), or one of the configured names.
  // An absent Host (HTTP/1.0 scripts) is allowed: no browser sends one.
  bool allows(std::string_view hostHeader) const;

  // The name part of a Host header: lower case, without port, brackets or trailing dot;
  // empty when the header is malformed.
  static std::string hostName(std::string_view hostHeader);

 private:
  std::vector<std::string> names_;
};

// The host of a URL such as public-url ("https://cams.example.org:8443/x" -> "cams.example.org").
std::string hostOfUrl(std::string_view url);

}  // namespace seccam::server::http
