#include "echo_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <string>
#include <thread>

#include "cpu_placement.hpp"

namespace seccam::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(tcp::socket socket) : ws_(std::move(socket)) {}

  void start() {
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->ws_.text(true);
      self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.push_back(beast::buffers_to_string(self->buffer_.cdata()));
      self->buffer_.consume(self->buffer_.size());
      if (self->queue_.size() == 1) self->write();
      self->read();
    });
  }
  void write() {
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
};

}  // namespace

struct EchoServer::State {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<EchoSession>(std::move(socket))->start();
      accept();
    });
  }
};

EchoServer::EchoServer(const std::vector<int>& cpus) : state_(std::make_unique<State>()) {
  state_->accept();
  state_->thread = std::thread([state = state_.get(), cpus] {
    if (!cpus.empty()) pinCallingThread(cpus);
    state->ioc.run();
  });
}

EchoServer::~EchoServer() {
  state_->ioc.stop();
  state_->thread.join();
}

tcp::endpoint EchoServer::endpoint() const { return state_->acceptor.local_endpoint(); }

}  // namespace seccam::bench
