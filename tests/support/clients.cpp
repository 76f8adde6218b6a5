#include "support/clients.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace seccam::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::vector<std::string> HttpResponse::headerValues(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = headers.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

HttpResponse httpRequest(const std::string& host, unsigned short port, const std::string& method,
                         const std::string& target, const std::string& body,
                         const Headers& headers, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  HttpResponse out;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host + ":" + std::to_string(port));
  bool hasContentType = false;
  for (auto& [k, v] : headers) {
    req.set(k, v);
    if (lower(k) == "content-type") hasContentType = true;
  }
  if (!body.empty() && !hasContentType) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address(host), port),
                       [&](beast::error_code ec) {
                         if (ec) return;
                         http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
                           if (ec) return;
                           http::async_read(stream, buffer, parser,
                                            [&](beast::error_code ec, std::size_t) {
                                              if (ec) return;
                                              auto& res = parser.get();
                                              out.status = static_cast<int>(res.result_int());
                                              for (auto& f : res) {
                                                out.headers.emplace(lower(std::string(f.name_string())),
                                                                    std::string(f.value()));
                                              }
                                              out.body = res.body();
                                            });
                         });
                       });
  ioc.run();
  return out;
}

std::string cookiePair(const std::string& setCookie) {
  return setCookie.substr(0, setCookie.find(';'));
}

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  int refusedStatus = 0;
  bool open = false;
  bool closed = false;
  int closeCode = 0;
  bool reading = false;
  std::optional<std::string> pending;
};

WsClient::WsClient() : impl_(std::make_unique<Impl>()) {}
WsClient::~WsClient() {
  if (impl_->open && !impl_->closed) drop();
}

bool WsClient::connect(const std::string& host, unsigned short port, const std::string& target,
                       const Headers& headers, std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  bool ok = false;
  websocket::response_type response;
  beast::get_lowest_layer(s.ws).expires_after(timeout);
  beast::get_lowest_layer(s.ws).async_connect(
      tcp::endpoint(asio::ip::make_address(host), port), [&](beast::error_code ec) {
        if (ec) return;
        beast::get_lowest_layer(s.ws).expires_after(timeout);
        s.ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
          for (auto& [k, v] : headers) req.set(k, v);
        }));
        s.ws.async_handshake(response, host + ":" + std::to_string(port), target,
                             [&](beast::error_code ec) {
                               s.refusedStatus = static_cast<int>(response.result_int());
                               if (!ec) ok = true;
                             });
      });
  s.ioc.run();
  s.ioc.restart();
  if (ok) {
    beast::get_lowest_layer(s.ws).expires_never();
    s.ws.read_message_max(16 * 1024 * 1024);
    s.open = true;
    s.refusedStatus = 0;
  }
  return ok;
}

int WsClient::refusedStatus() const { return impl_->refusedStatus; }

bool WsClient::send(const std::string& text) {
  auto& s = *impl_;
  if (!s.open || s.closed) return false;
  beast::error_code result;
  bool done = false;
  s.ws.text(true);
  s.ws.async_write(asio::buffer(text), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  // Run only until the write completes: a read left pending by receive() must not hold
  // the send up until its own time runs out.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    s.ioc.run_one_until(deadline);
    if (s.ioc.stopped()) s.ioc.restart();
  }
  return done && !result;
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  if (s.pending) {
    auto out = std::move(s.pending);
    s.pending.reset();
    return out;
  }
  if (!s.open || s.closed) return std::nullopt;
  if (!s.reading) {
    s.reading = true;
    s.ws.async_read(s.buffer, [&s](beast::error_code ec, std::size_t) {
      s.reading = false;
      if (ec) {
        s.closed = true;
        s.closeCode = s.ws.reason().code;
        return;
      }
      s.pending = beast::buffers_to_string(s.buffer.data());
      s.buffer.consume(s.buffer.size());
    });
  }
  s.ioc.run_for(timeout);
  s.ioc.restart();
  // A read still in flight stays pending in the io_context and completes on a later call.
  if (s.pending) {
    auto out = std::move(s.pending);
    s.pending.reset();
    return out;
  }
  return std::nullopt;
}

bool WsClient::closed() const { return impl_->closed; }
int WsClient::closeCode() const { return impl_->closeCode; }

void WsClient::close(int code) {
  auto& s = *impl_;
  if (!s.open || s.closed) return;
  s.ws.async_close(websocket::close_reason(static_cast<std::uint16_t>(code)),
                   [](beast::error_code) {});
  s.ioc.run_for(std::chrono::seconds(2));
  s.ioc.restart();
  s.closed = true;
}

void WsClient::drop() {
  auto& s = *impl_;
  beast::error_code ec;
  beast::get_lowest_layer(s.ws).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(s.ws).socket().close(ec);
  s.ioc.poll();
  s.ioc.restart();
  s.closed = true;
}

}  // namespace seccam::test
