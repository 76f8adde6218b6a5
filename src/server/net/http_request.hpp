// An HTTP request as Beast reads it: what the HTTP layer routes and what it hands to the
// signaling hub with a WebSocket upgrade.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace seccam::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

}  // namespace seccam::server
