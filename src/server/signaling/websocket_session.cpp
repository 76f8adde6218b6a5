// The WebSocket session: one connection's I/O on its shard's one thread (after Beast's
// chat-multi and advanced server-flex examples; docs/IO-SHARDS.md). Accepts the upgrade,
// reads message by message, keeps one write in flight with a bounded queue, rate-limits what
// the peer sends, and pings.
#include "server/signaling/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <algorithm>
#include <bit>
#include <variant>
#include <vector>

#include "common/ordinary_disconnect.hpp"
#include "common/protocol.hpp"
#include "common/token_bucket.hpp"

namespace seccam::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// The upgrade and the closing handshake must each finish within this time.
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr const char* kServerName = "seccam-server";
// A message is read in pieces: Beast prepares room for the next piece as soon as a read is
// pending, which on an idle connection is all the time (async_read would hold 1.5 KiB
// there). The first piece of a message is sized after the connection's previous message
// (the power of two that held it, between these bounds), so that a connection that never
// sends (a dashboard, most idle connections) holds 64 bytes, and one that relays candidates
// reads each in one piece; the rest of a longer message is read in pieces of the larger size.
constexpr std::size_t kSmallestPieceBytes = 64;
constexpr std::size_t kReadPieceBytes = 512;
// A read buffer grown past twice the next first piece (by one large message: an SDP, a
// flood) is given back, so that many idle connections stay small.
constexpr std::size_t kKeptReadBufferFactor = 2;

// Beast closes an oversized message itself, with the code PROTOCOL.md names.
static_assert(protocol::value(protocol::CloseCode::TooBig) == websocket::close_code::too_big);

struct CloseFrame {
  protocol::CloseCode code;
  std::string reason;
};
using Outgoing = std::variant<SharedText, CloseFrame>;

// A plain connection's WebSocket sits on the bare socket: the WebSocket has timeouts of its
// own, and beast::tcp_stream's (two timers, 0.5 KiB a connection) would go unused. Its
// executor is the io_context's own type, not a type-erased one, which spares an allocation
// for every pending operation.
using PlainSocket = net::basic_stream_socket<net::ip::tcp, net::io_context::executor_type>;

// The shard (io_context) a stream's I/O runs on: one thread runs it, so the connection needs
// no strand.
template <class Stream>
net::io_context& ioContextOf(Stream& stream) {
  return static_cast<net::io_context&>(net::query(stream.get_executor(), net::execution::context));
}

// `home`: the shard the connection is to live on (its descriptor moves there), else the one
// it was accepted on.
PlainSocket toPlainSocket(PlainStream&& stream, net::io_context* home) {
  auto& io = home ? *home : ioContextOf(stream);
  auto socket = stream.release_socket();
  beast::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  // A socket whose peer already left has no local endpoint; the session then ends at once.
  auto handle = ec ? -1 : socket.release(ec);
  if (ec) return PlainSocket(io.get_executor());
  return PlainSocket(io.get_executor(), protocol, handle);
}

// The write queue: a vector consumed from the front. An empty std::deque already holds a
// 512-byte block, which idle connections (most of them) would pay for nothing.
class OutgoingQueue {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  Outgoing& front() { return items_[head_]; }
  void push_back(Outgoing item) { items_.push_back(std::move(item)); }
  void pop_front() {
    items_[head_++] = Outgoing{};
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
      if (items_.capacity() > kKeptCapacity) items_.shrink_to_fit();
    } else if (head_ >= kCompactAfter && 2 * head_ >= items_.size()) {
      // A peer that never quite catches up: the sent part goes, so the vector stays bounded.
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

 private:
  static constexpr std::size_t kKeptCapacity = 4;
  static constexpr std::size_t kCompactAfter = 32;
  std::vector<Outgoing> items_;
  std::size_t head_ = 0;
};

const SharedText& rateLimitedError() {
  static const SharedText text = std::make_shared<const std::string>(protocol::serialize(
      protocol::Error{{}, protocol::ErrorCode::RateLimited, "Too many messages; slow down."}));
  return text;
}

template <class Stream>
class WebSocketSession final : public SignalingConnection {
  // Beast's tcp_stream under TLS; a bare socket for plain connections (below).
  static constexpr bool kHasStreamTimeouts = !std::is_same_v<Stream, PlainSocket>;

 public:
  using Clock = std::chrono::steady_clock;

  WebSocketSession(Stream&& stream, HttpRequest&& request,
                   std::unique_ptr<ConnectionHandler> handler, const SignalingLimits& limits,
                   ConnectionId id, ConnectionLimiter::Slot&& slot)
      : SignalingConnection(id),
        executor_(ioContextOf(stream).get_executor()),
        ws_(std::move(stream)),
        request_(std::make_unique<HttpRequest>(std::move(request))),
        handler_(std::move(handler)),
        limits_(limits),
        bucket_(limits.messagesPerSecond, limits.messageBurst, Clock::now()),
        slot_(std::move(slot)) {}

  void start() override {
    net::dispatch(executor_, [self = self()] { self->doAccept(); });
  }

  void send(SharedText text) override {
    net::dispatch(executor_, [self = self(), text = std::move(text)]() mutable {
      self->enqueue(std::move(text));
    });
  }

  void close(protocol::CloseCode code, std::string reason) override {
    net::dispatch(executor_, [self = self(), code, reason = std::move(reason)]() mutable {
      self->enqueue(CloseFrame{code, std::move(reason)});
    });
  }

  void post(std::function<void()> work) override { net::post(executor_, std::move(work)); }

  void startDeadline(Clock::duration delay, std::function<void()> expired) override {
    if (!deadline_) deadline_ = std::make_unique<net::steady_timer>(executor_);
    deadline_->expires_after(delay);
    deadline_->async_wait(net::bind_executor(
        executor_, [self = self(), expired = std::move(expired)](beast::error_code ec) {
          if (ec || self->finished_) return;
          expired();
        }));
  }

  void cancelDeadline() override {
    if (deadline_) deadline_->cancel();
  }

 private:
  std::shared_ptr<WebSocketSession> self() {
    return std::static_pointer_cast<WebSocketSession>(shared_from_this());
  }

  void doAccept() {
    // The WebSocket's own timeouts (handshake, idle pings) replace the TCP stream's.
    if constexpr (kHasStreamTimeouts) beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = kHandshakeTimeout;
    // Beast pings after half the idle timeout and drops the peer if the next half passes
    // without a frame from it.
    timeouts.idle_timeout = 2 * limits_.pingInterval;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, kServerName);
    }));
    ws_.read_message_max(limits_.maxMessageBytes);
    ws_.async_accept(*request_, net::bind_executor(executor_, [self = self()](beast::error_code ec) {
      self->onAccept(ec);
    }));
  }

  void onAccept(beast::error_code ec) {
    request_.reset();
    if (ec) {
      spdlog::debug("connection {}: WebSocket handshake failed: {}", id(), ec.message());
      finish();
      return;
    }
    opened_ = true;
    handler_->onOpen(*this);
    doRead();
  }

  void doRead() {
    ws_.async_read_some(
        buffer_, buffer_.size() == 0 ? firstPieceBytes_ : kReadPieceBytes,
        net::bind_executor(
            executor_, [self = self()](beast::error_code ec, std::size_t) { self->onRead(ec); }));
  }

  void onRead(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        handler_->onLimitExceeded(*this, "message over the size limit, closed with 1009");
      } else if (!isOrdinaryDisconnect(ec)) {
        spdlog::info("connection {}: ended: {}", id(), ec.message());
      }
      finish();
      return;
    }
    if (!ws_.is_message_done()) {
      doRead();  // the rest of this message (Beast enforces the size limit)
      return;
    }
    // Once we are closing, what the peer still sends is read (to see its close) and dropped.
    if (!closeQueued_) deliver();
    firstPieceBytes_ = static_cast<std::uint16_t>(
        std::clamp(std::bit_ceil(buffer_.size()), kSmallestPieceBytes, kReadPieceBytes));
    buffer_.consume(buffer_.size());
    if (buffer_.capacity() > kKeptReadBufferFactor * firstPieceBytes_) buffer_.shrink_to_fit();
    doRead();
  }

  void deliver() {
    auto now = Clock::now();
    if (bucket_.isFull(now)) rateStrikes_ = 0;  // calm again: forgive earlier floods
    if (!bucket_.tryTake(now)) {
      ++rateStrikes_;
      bool closing = rateStrikes_ >= limits_.rateLimitStrikesBeforeClose;
      enqueue(rateLimitedError());
      if (closing) enqueue(CloseFrame{protocol::CloseCode::RateLimited, "rate limited"});
      if (rateStrikes_ == 1 || closing) {
        handler_->onLimitExceeded(*this, closing
                                             ? "message rate limit exceeded again, closed with 4429"
                                             : "message rate limit exceeded");
      }
      return;
    }
    auto data = buffer_.data();
    handler_->onMessage(*this,
                        std::string_view(static_cast<const char*>(data.data()), data.size()));
  }

  void enqueue(Outgoing item) {
    // Dropped (aborted) already: nothing more can go out, and the drop was counted once.
    if (finished_ || closeQueued_ || aborted_) return;
    if (!opened_) {
      // Still in the handshake (e.g. shutdown right after the upgrade): nothing to send yet,
      // and a close is simply dropping the connection.
      if (std::holds_alternative<CloseFrame>(item)) abort();
      return;
    }
    if (queue_.size() >= limits_.maxQueuedWrites) {
      spdlog::warn("connection {}: peer too slow ({} messages queued), dropped", id(),
                   queue_.size());
      handler_->onDroppedTooSlow(*this);
      abort();
      return;
    }
    if (std::holds_alternative<CloseFrame>(item)) closeQueued_ = true;
    queue_.push_back(std::move(item));
    if (!writing_) doWrite();
  }

  void doWrite() {
    writing_ = true;
    auto onDone = net::bind_executor(
        executor_, [self = self()](beast::error_code ec, std::size_t = 0) { self->onWrite(ec); });
    if (auto* text = std::get_if<SharedText>(&queue_.front())) {
      ws_.text(true);
      ws_.async_write(net::buffer(**text), std::move(onDone));
    } else {
      const auto& frame = std::get<CloseFrame>(queue_.front());
      ws_.async_close(
          websocket::close_reason(static_cast<websocket::close_code>(protocol::value(frame.code)),
                                  frame.reason),
          std::move(onDone));
    }
  }

  void onWrite(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      if (!isOrdinaryDisconnect(ec)) {
        spdlog::info("connection {}: write failed: {}", id(), ec.message());
      }
      abort();
      return;
    }
    queue_.pop_front();
    if (!queue_.empty() && !finished_) doWrite();
  }

  // Drops the connection at once; the pending read then fails and finish() runs.
  void abort() {
    if (aborted_) return;
    aborted_ = true;
    beast::error_code ignored;
    auto& lowest = beast::get_lowest_layer(ws_);
    if constexpr (kHasStreamTimeouts)
      lowest.socket().close(ignored);
    else
      lowest.close(ignored);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    if (deadline_) deadline_->cancel();
    if (!aborted_) abort();  // the socket goes now; a write in flight completes with an error
    handler_->onClose(*this);
  }

  // The shard's executor: dispatch() runs at once on the shard's thread and posts from any
  // other, so a relay between two connections of one shard writes within the read handler.
  net::io_context::executor_type executor_;
  // Without permessage-deflate support (never offered: signaling messages are small), which
  // leaves its state out of every connection.
  websocket::stream<Stream, false> ws_;
  std::unique_ptr<HttpRequest> request_;  // the upgrade request, until the handshake is done
  std::unique_ptr<ConnectionHandler> handler_;
  const SignalingLimits& limits_;  // the hub's, which every handler keeps alive
  beast::flat_buffer buffer_;
  std::uint16_t firstPieceBytes_ = kSmallestPieceBytes;
  OutgoingQueue queue_;
  bool opened_ = false;  // the WebSocket handshake completed
  bool writing_ = false;
  bool closeQueued_ = false;
  bool aborted_ = false;
  bool finished_ = false;
  TokenBucket bucket_;
  int rateStrikes_ = 0;
  std::unique_ptr<net::steady_timer> deadline_;  // only cameras have one (the auth timeout)
  ConnectionLimiter::Slot slot_;  // its place under the connection caps, freed with it
};

}  // namespace

std::shared_ptr<SignalingConnection> makeWebSocketSession(
    PlainStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, ConnectionId id, ConnectionLimiter::Slot slot,
    net::io_context* home) {
  return std::make_shared<WebSocketSession<PlainSocket>>(
      toPlainSocket(std::move(stream), home), std::move(request), std::move(handler), limits, id,
      std::move(slot));
}

std::shared_ptr<SignalingConnection> makeWebSocketSession(
    TlsStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, ConnectionId id, ConnectionLimiter::Slot slot) {
  return std::make_shared<WebSocketSession<TlsStream>>(std::move(stream), std::move(request),
                                                       std::move(handler), limits, id,
                                                       std::move(slot));
}

}  // namespace seccam::server
