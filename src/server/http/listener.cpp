#include "server/http/listener.hpp"

#include <spdlog/spdlog.h>

#include "server/http/http_session.hpp"
#include "server/net/io_shards.hpp"

namespace seccam::server::http {
namespace net = boost::asio;
using net::ip::tcp;

namespace {
// A failed accept (most often: no descriptors left) is retried after a pause instead of at
// once, which would spin and flood the log while the condition lasts.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
}  // namespace

Listener::Listener(IoShards& shards, const tcp::endpoint& endpoint,
                   std::shared_ptr<const HttpContext> context, net::ssl::context* tls)
    : shards_(shards),
      acceptor_(shards.main()),
      retryTimer_(shards.main()),
      context_(std::move(context)),
      tls_(tls) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::run() { acceptNext(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->retryTimer_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::acceptNext() {
  // Each connection lives on one shard, whose one thread runs all its handlers
  // (docs/IO-SHARDS.md): no strand needed.
  acceptor_.async_accept(shards_.next(), [self = shared_from_this()](boost::system::error_code ec,
                                                                     tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      spdlog::warn("accept failed: {}; retrying in {} ms", ec.message(), kAcceptRetryDelay.count());
      self->retryTimer_.expires_after(kAcceptRetryDelay);
      self->retryTimer_.async_wait([self](boost::system::error_code waitEc) {
        if (!waitEc && self->acceptor_.is_open()) self->acceptNext();
      });
      return;
    }
    // Signaling messages are small and latency-bound: never hold them back for Nagle.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    // Admitted here, in the order of accepting (the caps count every socket at once); the
    // session then runs on its own shard's thread.
    if (self->tls_) {
      startTlsSession(std::move(socket), *self->tls_, self->context_);
    } else {
      startPlainSession(std::move(socket), self->context_);
    }
    self->acceptNext();
  });
}

}  // namespace seccam::server::http
