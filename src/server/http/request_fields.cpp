// What routing reads of a request: see request_fields.hpp.
#include "server/http/request_fields.hpp"

namespace seccam::server::http {

std::string pathOf(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

std::string headerText(const HttpRequest& request, boost::beast::http::field field) {
  auto it = request.find(field);
  return it == request.end() ? std::string() : std::string(it->value());
}

std::optional<std::string> optionalHeader(const HttpRequest& request,
                                          boost::beast::http::field field) {
  auto it = request.find(field);
  if (it == request.end()) return std::nullopt;
  return std::string(it->value());
}

std::string forwardedFor(const HttpRequest& request) {
  std::string joined;
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined += std::string_view(it->value());
  }
  return joined;
}

}  // namespace seccam::server::http
