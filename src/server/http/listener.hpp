// Accepts TCP connections on the configured address and starts an HTTP session (plain or
// TLS, decided once per server) for each.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

namespace boost::asio::ssl {
class context;
}

namespace seccam::server {
class IoShards;
}

namespace seccam::server::http {

struct HttpContext;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds at once; throws boost::system::system_error when the address is unusable. Accepts
  // on the main shard and gives each connection to the next shard in turn.
  Listener(IoShards& shards, const boost::asio::ip::tcp::endpoint& endpoint,
           std::shared_ptr<const HttpContext> context, boost::asio::ssl::context* tls);

  void run();
  void stop();  // stops accepting; open connections stay
  boost::asio::ip::tcp::endpoint localEndpoint() const { return acceptor_.local_endpoint(); }

 private:
  void acceptNext();

  IoShards& shards_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retryTimer_;  // after a failed accept (e.g. out of descriptors)
  std::shared_ptr<const HttpContext> context_;
  boost::asio::ssl::context* tls_;
};

}  // namespace seccam::server::http
