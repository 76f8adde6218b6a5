// What the JSON API sees of an HTTP request and gives back: plain structs, so that the
// handlers neither know Beast nor block an IO thread (they run on the worker pool). The HTTP
// layer has already refused cross-site requests (http/origin_policy.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/protocol.hpp"

namespace seccam::server::api {

struct ApiRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query
  std::string query;   // after '?', as sent (empty when none)
  std::string body;
  std::string cookieHeader;
  std::string clientAddress;  // the person's IP address (http/client_address.hpp)
  std::string userAgent;      // the User-Agent header, for the list of sessions
  bool tls = false;           // for the cookie's Secure attribute
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON text, or empty (204)
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Retry-After
};

// PROTOCOL.md's one error shape: {"error": {"code", "message", "fields"?}}.
ApiResponse errorResponse(int status, protocol::ErrorCode code, const std::string& message,
                          const std::map<std::string, std::string>& fields = {});

}  // namespace seccam::server::api
