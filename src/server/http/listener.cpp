#include "server/http/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>

#include "server/http/http_session.hpp"

namespace seccam::server::http {
namespace net = boost::asio;
using net::ip::tcp;

Listener::Listener(net::io_context& io, const tcp::endpoint& endpoint,
                   std::shared_ptr<const HttpContext> context, net::ssl::context* tls)
    : io_(io), acceptor_(io), context_(std::move(context)), tls_(tls) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() { acceptNext(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::acceptNext() {
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](
                                                    boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
    } else if (self->tls_) {
      startTlsSession(std::move(socket), *self->tls_, self->context_);
    } else {
      startPlainSession(std::move(socket), self->context_);
    }
    self->acceptNext();
  });
}

}  // namespace seccam::server::http
