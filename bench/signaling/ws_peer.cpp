#include "ws_peer.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace seccam::bench {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsPeer::WsPeer(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint server,
               std::optional<boost::asio::ip::address> source, std::string target,
               Headers headers)
    : ws_(ioc), server_(server), source_(source), target_(std::move(target)),
      headers_(std::move(headers)) {}

void WsPeer::start(std::function<void(bool)> done) {
  auto& socket = beast::get_lowest_layer(ws_).socket();
  beast::error_code ec;
  if (source_) {
    socket.open(server_.protocol(), ec);
    if (!ec) socket.bind(boost::asio::ip::tcp::endpoint(*source_, 0), ec);
    if (ec) return done(false);
  }
  beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(ws_).async_connect(
      server_, [self = shared_from_this(), done](beast::error_code ec) {
        if (ec) return done(false);
        beast::get_lowest_layer(self->ws_).socket().set_option(
            boost::asio::ip::tcp::no_delay(true));
        self->ws_.set_option(websocket::stream_base::decorator(
            [headers = self->headers_](websocket::request_type& req) {
              for (auto& [k, v] : headers) req.set(k, v);
            }));
        self->ws_.async_handshake(
            self->server_.address().to_string() + ":" + std::to_string(self->server_.port()),
            self->target_, [self, done](beast::error_code ec) {
              if (ec) return done(false);
              beast::get_lowest_layer(self->ws_).expires_never();
              self->ws_.text(true);
              self->open_ = true;
              self->doRead();
              done(true);
            });
      });
}

void WsPeer::doRead() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      bool wasOpen = self->open_;
      self->open_ = false;
      if (wasOpen && self->onClosed_) self->onClosed_(*self, self->ws_.reason().code);
      return;
    }
    auto data = self->buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    if (self->onMessage_) self->onMessage_(*self, text);
    self->buffer_.consume(self->buffer_.size());
    self->doRead();
  });
}

void WsPeer::send(std::string text) {
  if (!open_) return;
  queue_.push_back(std::move(text));
  if (!writing_) doWrite();
}

void WsPeer::doWrite() {
  writing_ = true;
  ws_.async_write(boost::asio::buffer(queue_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->queue_.pop_front();
                    if (ec || self->queue_.empty()) {
                      self->writing_ = false;
                      if (ec) self->queue_.clear();
                      return;
                    }
                    self->doWrite();
                  });
}

void WsPeer::close() {
  if (!open_) return;
  open_ = false;
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

}  // namespace seccam::bench
