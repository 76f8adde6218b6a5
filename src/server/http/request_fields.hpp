// The few things the HTTP layer reads out of a request before routing it: its path, single
// header values and the joined X-Forwarded-For. Pure functions of the parsed request, apart
// from the session code so that the fuzzer (fuzz/fuzz_http_request.cpp) runs exactly these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/net/http_request.hpp"

namespace seccam::server::http {

// The request target without its query ("/api/me?x" -> "/api/me").
std::string pathOf(std::string_view target);
// The value of a header, or "" when the request has none.
std::string headerText(const HttpRequest& request, boost::beast::http::field field);
// The value of a header, or nullopt when the request has none.
std::optional<std::string> optionalHeader(const HttpRequest& request,
                                          boost::beast::http::field field);
// Every X-Forwarded-For line, joined as one list (a proxy may add a line of its own).
std::string forwardedFor(const HttpRequest& request);

}  // namespace seccam::server::http
