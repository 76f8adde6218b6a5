// One HTTP connection (plain or TLS): reads requests with the body limit, answers the API
// (on the worker pool), /healthz, /metrics and static files, and hands WebSocket upgrades
// to the signaling hub (/ws after checking the session cookie and Origin).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace seccam::server::http {

struct HttpContext;

void startPlainSession(boost::asio::ip::tcp::socket socket,
                       std::shared_ptr<const HttpContext> context);
void startTlsSession(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls,
                     std::shared_ptr<const HttpContext> context);

}  // namespace seccam::server::http
