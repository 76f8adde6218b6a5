#include "server/push/push_client.hpp"

#include <openssl/ssl.h>

#include <utility>  // std::exchange, which boost/asio/awaitable.hpp uses without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace seccam::server::push {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

// A push service answers with a short body (an error text or nothing): more is not read.
constexpr std::size_t kMaxResponseBytes = 16 * 1024;

http::request<http::vector_body<std::uint8_t>> makeRequest(const PushRequest& request) {
  http::request<http::vector_body<std::uint8_t>> req{http::verb::post, request.endpoint.target,
                                                     11};
  bool defaultPort = request.endpoint.port == (request.endpoint.tls ? "443" : "80");
  auto host = request.endpoint.host.find(':') != std::string::npos
                  ? "[" + request.endpoint.host + "]"
                  : request.endpoint.host;
  req.set(http::field::host, defaultPort ? host : host + ":" + request.endpoint.port);
  req.set(http::field::user_agent, "seccam-server");
  req.set(http::field::authorization, request.authorization);
  req.set(http::field::content_type, "application/octet-stream");
  req.set(http::field::content_encoding, "aes128gcm");
  req.set("TTL", std::to_string(request.ttl.count()));
  req.set("Urgency", request.urgency);
  req.body() = request.body;
  req.prepare_payload();
  return req;
}

template <class Stream>
net::awaitable<int> postAndRead(Stream& stream, const PushRequest& request) {
  auto req = makeRequest(request);
  co_await http::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  co_await http::async_read(stream, buffer, parser, net::use_awaitable);
  co_return static_cast<int>(parser.get().result_int());
}

net::awaitable<int> run(const PushRequest& request, net::ssl::context* tls) {
  auto executor = co_await net::this_coro::executor;
  tcp::resolver resolver(executor);
  auto addresses = co_await resolver.async_resolve(request.endpoint.host, request.endpoint.port,
                                                   net::use_awaitable);
  const auto deadline = std::chrono::steady_clock::now() + kPushRequestTimeout;
  if (!tls) {
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    co_await stream.async_connect(addresses, net::use_awaitable);
    auto status = co_await postAndRead(stream, request);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return status;
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), request.endpoint.host.c_str())) {
    throw std::runtime_error("cannot set the TLS server name");
  }
  stream.set_verify_callback(net::ssl::host_name_verification(request.endpoint.host));
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await beast::get_lowest_layer(stream).async_connect(addresses, net::use_awaitable);
  co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  co_return co_await postAndRead(stream, request);
  // No TLS close_notify exchange: the answer is in, and a service that never answers it
  // would only hold the worker.
}
}  // namespace

PushResult sendPushRequest(const PushRequest& request) {
  std::unique_ptr<net::ssl::context> tls;
  if (request.endpoint.tls) {
    tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    tls->set_default_verify_paths();
    tls->set_verify_mode(net::ssl::verify_peer);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1);
  }
  net::io_context io(1);
  PushResult result;
  net::co_spawn(io, run(request, tls.get()), [&result](std::exception_ptr error, int status) {
    if (!error) {
      result.status = status;
      return;
    }
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      result.error = e.what();
    }
  });
  io.run();
  return result;
}

}  // namespace seccam::server::push
