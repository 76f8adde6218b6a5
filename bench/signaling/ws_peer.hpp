// Load generator: one asynchronous WebSocket client connection with a write queue, for many
// connections on one single-threaded io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seccam::bench {

class WsPeer : public std::enable_shared_from_this<WsPeer> {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using OnMessage = std::function<void(WsPeer&, std::string_view)>;
  using OnClosed = std::function<void(WsPeer&, int closeCode)>;

  WsPeer(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint server,
         std::optional<boost::asio::ip::address> source, std::string target, Headers headers);

  void onMessage(OnMessage f) { onMessage_ = std::move(f); }
  void onClosed(OnClosed f) { onClosed_ = std::move(f); }
  // Connects and upgrades; `done(true)` once open.
  void start(std::function<void(bool ok)> done);
  void send(std::string text);
  void close();
  bool isOpen() const { return open_; }
  std::size_t queued() const { return queue_.size(); }

 private:
  void doRead();
  void doWrite();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::asio::ip::tcp::endpoint server_;
  std::optional<boost::asio::ip::address> source_;
  std::string target_;
  Headers headers_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool open_ = false;
  OnMessage onMessage_;
  OnClosed onClosed_;
};

}  // namespace seccam::bench
