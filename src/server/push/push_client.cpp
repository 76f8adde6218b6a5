#include "server/push/push_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
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
  http::request<http::vector_body<std::uint8_t>> req{http::verb::post, request.endpoint.target, 11};
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

// Runs one asynchronous step to its end on `io`, from this (a push worker's) thread: the
// steps of a request one after another, each bounded by the stream's deadline. (Written with
// completion handlers rather than coroutines: the fuzzing build's clang 14 has no C++20
// coroutines with Debian's libstdc++.)
template <class Start>
void runStep(net::io_context& io, Start start) {
  beast::error_code error;
  start([&error](beast::error_code ec, auto&&...) { error = ec; });
  io.restart();
  io.run();
  if (error) throw beast::system_error(error);
}

template <class Stream>
int postAndRead(net::io_context& io, Stream& stream, const PushRequest& request) {
  auto req = makeRequest(request);
  runStep(io, [&](auto done) { http::async_write(stream, req, done); });
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  runStep(io, [&](auto done) { http::async_read(stream, buffer, parser, done); });
  return static_cast<int>(parser.get().result_int());
}

int run(const PushRequest& request, net::ssl::context* tls) {
  net::io_context io(1);
  tcp::resolver resolver(io);
  tcp::resolver::results_type addresses;
  runStep(io, [&](auto done) {
    resolver.async_resolve(
        request.endpoint.host, request.endpoint.port,
        [&addresses, done](beast::error_code ec, tcp::resolver::results_type results) mutable {
          addresses = std::move(results);
          done(ec);
        });
  });
  const auto deadline = std::chrono::steady_clock::now() + kPushRequestTimeout;
  if (!tls) {
    beast::tcp_stream stream(io);
    stream.expires_at(deadline);
    runStep(io, [&](auto done) { stream.async_connect(addresses, done); });
    auto status = postAndRead(io, stream, request);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return status;
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
  if (!SSL_set_tlsext_host_name(stream.native_handle(), request.endpoint.host.c_str())) {
    throw std::runtime_error("cannot set the TLS server name");
  }
  stream.set_verify_callback(net::ssl::host_name_verification(request.endpoint.host));
  beast::get_lowest_layer(stream).expires_at(deadline);
  runStep(io, [&](auto done) { beast::get_lowest_layer(stream).async_connect(addresses, done); });
  runStep(io, [&](auto done) { stream.async_handshake(net::ssl::stream_base::client, done); });
  return postAndRead(io, stream, request);
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
  PushResult result;
  try {
    result.status = run(request, tls.get());
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

}  // namespace seccam::server::push
