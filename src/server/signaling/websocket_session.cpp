// The WebSocket session: one connection's I/O on its shard's one thread (docs/IO-SHARDS.md),
// speaking RFC 6455 through our own codec (net/websocket_codec, docs/WEBSOCKET.md). Answers
// the upgrade, reads frames into a buffer sized to what the connection sends, hands each
// message to its handler without a copy, writes what is queued in one system call (straight
// from the handler when the socket takes it), rate-limits what the peer sends, and pings.
#include "server/signaling/websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <span>
#include <variant>
#include <vector>

#include "common/ordinary_disconnect.hpp"
#include "common/protocol.hpp"
#include "common/token_bucket.hpp"
#include "server/metrics/relay_timer.hpp"
#include "server/net/drained_socket.hpp"
#include "server/net/websocket_codec.hpp"

namespace seccam::server {

namespace {
thread_local std::int64_t tlRelayStamp = 0;
}  // namespace

RelayStamp::RelayStamp(std::int64_t nanos) : outer_(tlRelayStamp) { tlRelayStamp = nanos; }
RelayStamp::~RelayStamp() { tlRelayStamp = outer_; }
std::int64_t RelayStamp::current() { return tlRelayStamp; }
std::int64_t RelayStamp::now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ws = websocket;

// The upgrade and the closing handshake must each finish within this time.
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr const char* kServerName = "seccam-server";
// The read buffer holds what the connection sent and we have not handled yet. Its size for
// the next read follows the connection's previous message (the power of two that held it,
// between these bounds), so that a connection that never sends (a dashboard, most idle
// connections) holds 64 bytes and one that relays candidates reads each in one go; a frame
// whose header says it is longer gets room for all of it at once.
constexpr std::size_t kSmallestPieceBytes = 64;
constexpr std::size_t kReadPieceBytes = 512;
// A read buffer grown past twice the next piece (by one large message: an SDP, a flood) is
// given back once it is empty, so that many idle connections stay small.
constexpr std::size_t kKeptReadBufferFactor = 2;
// A read that filled all the room it had, held at least one whole message and ended in the
// middle of the next says the peer is ahead of us (a burst, or a peer sending faster than this
// thread keeps up with): the next read gets this much room, so that a backlog is drained in a
// few reads instead of one a message. The buffer, never empty meanwhile, is kept from read to
// read; once a read leaves nothing over it is given back as any other.
constexpr std::size_t kBacklogPieceBytes = 8192;
// At most this many queued messages go out in one system call.
constexpr std::size_t kWriteBatch = 16;
// A write the socket did not take at once is copied here; its buffer is kept up to this size.
constexpr std::size_t kKeptPendingBytes = 4096;

static_assert(protocol::value(protocol::CloseCode::TooBig) == ws::kCloseTooBig);

// A frame we send other than a text message: close, ping, pong.
struct ControlFrame {
  ws::Opcode opcode;
  std::string payload;
};
// A text message, and when the message that caused it came in (RelayStamp; 0: not timed).
struct QueuedText {
  SharedText text;
  std::int64_t cameAt = 0;
};
using Outgoing = std::variant<QueuedText, ControlFrame>;

// A plain connection sits on the bare socket, whose executor is the io_context's own type
// (not a type-erased one, which would allocate for every pending operation), and whose reads
// skip Asio's speculative recv once the socket is known to be empty (net/drained_socket).
using PlainSocket = DrainedSocket;

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
  Outgoing& at(std::size_t i) { return items_[head_ + i]; }
  void push_back(Outgoing item) { items_.push_back(std::move(item)); }
  void pop_front(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) items_[head_++] = Outgoing{};
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

// The bytes received and not handled yet: a plain array, so that growing it copies only
// what it holds and never zero-fills.
class ReadBuffer {
 public:
  char* data() { return data_.get(); }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  void reserve(std::size_t bytes) {
    if (bytes <= capacity_) return;
    auto grown = std::make_unique_for_overwrite<char[]>(bytes);
    if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
    data_ = std::move(grown);
    capacity_ = bytes;
  }
  void commit(std::size_t bytes) { size_ += bytes; }
  // Drops the first `bytes` (handled), keeping the rest at the front.
  void consume(std::size_t bytes) {
    if (bytes < size_) std::memmove(data_.get(), data_.get() + bytes, size_ - bytes);
    size_ -= std::min(bytes, size_);
  }
  void release() {
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

const SharedText& rateLimitedError() {
  static const SharedText text = std::make_shared<const std::string>(protocol::serialize(
      protocol::Error{{}, protocol::ErrorCode::RateLimited, "Too many messages; slow down."}));
  return text;
}

std::string_view fieldOf(const HttpRequest& request, http::field field) {
  auto it = request.find(field);
  return it == request.end() ? std::string_view{} : std::string_view(it->value());
}

// What every session shares, whatever its stream: its place on its thread's cork list.
class CorkableSession : public SignalingConnection {
 public:
  using SignalingConnection::SignalingConnection;
  // Writes what was queued while the thread was corked.
  virtual void uncork() = 0;
  bool listed = false;  // on its thread's cork list
};

// While an IO thread handles what its connections read, what that causes to be sent to
// connections of the same thread waits here. It goes out once the thread has handled every
// read that was ready together (one epoll_wait's worth): several messages for one peer, from
// one sender or from several, then leave in one system call, as Node's cork/uncork does but
// across connections. One list a thread (a shard is one thread), so no lock.
struct Cork {
  bool corked = false;       // inside a CorkScope
  bool flushQueued = false;  // flush() is posted behind the handlers that are ready now
  // Weak: a flush that never runs (the io_context stopped at shutdown) must not keep sessions
  // alive past their io_context, in a list that lives as long as the thread.
  std::vector<std::weak_ptr<CorkableSession>> waiting;

  // Each waiting session writes. Bounded: a session writing adds nobody, as nothing is corked.
  void flush() {
    flushQueued = false;
    auto sessions = std::move(waiting);
    for (auto& weak : sessions) {
      auto session = weak.lock();
      if (!session) continue;
      session->listed = false;
      session->uncork();
    }
    sessions.clear();
    if (waiting.empty()) waiting = std::move(sessions);  // keep the capacity
  }
  bool holding() const { return corked || flushQueued; }
};
thread_local Cork tlCork;

// Corks the thread for a scope. On leaving it, the waiting sessions' flush is posted to the
// thread's io_context: it runs after the completions already queued there (the other reads
// from the same epoll_wait), and before the thread next waits for the network, so a message
// waits a few handlers at most, never for new input.
class CorkScope {
 public:
  explicit CorkScope(net::io_context::executor_type executor)
      : outer_(tlCork.corked), executor_(executor) {
    tlCork.corked = true;
  }
  ~CorkScope() {
    if (outer_) return;
    tlCork.corked = false;
    if (tlCork.waiting.empty() || tlCork.flushQueued) return;
    tlCork.flushQueued = true;
    net::post(executor_, [] { tlCork.flush(); });
  }
  CorkScope(const CorkScope&) = delete;
  CorkScope& operator=(const CorkScope&) = delete;

 private:
  bool outer_;
  net::io_context::executor_type executor_;
};

template <class Stream>
class WebSocketSession final : public CorkableSession {
  // Plain sockets are written straight from the handler when they take it; TLS through
  // Asio's composed write.
  static constexpr bool kPlain = std::is_same_v<Stream, PlainSocket>;

 public:
  using Clock = std::chrono::steady_clock;

  WebSocketSession(Stream&& stream, HttpRequest&& request,
                   std::unique_ptr<ConnectionHandler> handler, const SignalingLimits& limits,
                   RelayTimer& relayTimer, ConnectionId id, ConnectionLimiter::Slot&& slot)
      : CorkableSession(id),
        executor_(ioContextOf(stream).get_executor()),
        stream_(std::move(stream)),
        request_(std::make_unique<HttpRequest>(std::move(request))),
        handler_(std::move(handler)),
        limits_(limits),
        relayTimer_(relayTimer),
        reader_(limits.maxMessageBytes),
        timer_(executor_),
        bucket_(limits.messagesPerSecond, limits.messageBurst, Clock::now()),
        slot_(std::move(slot)) {}

  void start() override {
    net::dispatch(executor_, [self = self()] { self->doAccept(); });
  }

  void send(SharedText text) override {
    net::dispatch(executor_, [self = self(), text = std::move(text),
                              cameAt = RelayStamp::current()]() mutable {
      self->enqueue(QueuedText{std::move(text), cameAt});
    });
  }

  void close(protocol::CloseCode code, std::string reason) override {
    net::dispatch(executor_, [self = self(), code, reason = std::move(reason)]() mutable {
      self->enqueue(ControlFrame{ws::Opcode::close,
                                 ws::closePayload(protocol::value(code), reason)});
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

  auto& socket() {
    if constexpr (kPlain)
      return stream_;
    else
      return beast::get_lowest_layer(stream_).socket();
  }

  // --- the opening handshake --------------------------------------------------------------

  void doAccept() {
    if constexpr (!kPlain) beast::get_lowest_layer(stream_).expires_never();
    beast::error_code ignored;
    // Writes are tried at once and never block (write()).
    if constexpr (kPlain) stream_.non_blocking(true, ignored);
    ws::UpgradeFields fields{request_->method_string(),     request_->version(),
                             fieldOf(*request_, http::field::upgrade),
                             fieldOf(*request_, http::field::connection),
                             fieldOf(*request_, http::field::sec_websocket_key),
                             fieldOf(*request_, http::field::sec_websocket_version)};
    auto answer = ws::answerUpgrade(fields, kServerName);
    request_.reset();
    armTimer(kHandshakeTimeout);
    pending_ = std::move(answer.response);
    writing_ = true;
    net::async_write(stream_, net::buffer(pending_),
                     net::bind_executor(executor_, [self = self(), accepted = answer.accepted](
                                                       beast::error_code ec, std::size_t) {
                       self->onAccept(ec, accepted);
                     }));
  }

  void onAccept(beast::error_code ec, bool accepted) {
    writing_ = false;
    releasePending();
    if (ec || !accepted) {
      spdlog::debug("connection {}: WebSocket handshake failed: {}", id(),
                    ec ? ec.message() : "not a valid upgrade request");
      finish();
      return;
    }
    opened_ = true;
    armTimer(limits_.pingInterval);
    handler_->onOpen(*this);
    readNext(/*drained=*/false);
  }

  // --- reading ------------------------------------------------------------------------------
  //
  // A plain socket reads so that no recv finds nothing (docs/IO-SHARDS.md, "Reads without a
  // speculative recv"): an asynchronous read is started only once the socket is known to be
  // empty, with Asio's speculative recv turned off, so it completes from the reactor's recv
  // when data comes. A read that came back short is such knowledge; after one that filled
  // its room (or that may not have run straight from the reactor), the socket is read at
  // once, on this thread, until it is found empty. TLS reads as Asio does.

  // Room for the next read, sized to what the connection sends.
  net::mutable_buffer prepareRead() {
    std::size_t target = in_.size() + (in_.size() == 0 ? firstPieceBytes_ : kReadPieceBytes);
    if (backlog_) target = std::max(target, kBacklogPieceBytes);
    in_.reserve(std::max(target, needBytes_));
    return net::buffer(in_.data() + in_.size(), in_.capacity() - in_.size());
  }

  void doRead() {
    stream_.async_read_some(
        prepareRead(),
        net::bind_executor(executor_, [self = self()](beast::error_code ec, std::size_t bytes) {
          self->onRead(ec, bytes);
        }));
  }

  // Continues reading. `drained`: the read just handled found the socket empty, and nothing
  // else ran on this thread since.
  void readNext(bool drained) {
    if constexpr (kPlain && DrainedSocket::kSkipsSpeculativeRead) {
      if (!aborted_) {
        if (!drained) {
          readNow();
          return;
        }
        stream_.markDrained();
        // A read completes straight from the reactor's recv unless an operation on the same
        // socket completed ahead of it in the same event: only our own waiting write can.
        readRacesWrite_ = writing_;
      }
    }
    doRead();
  }

  void onRead(beast::error_code ec, std::size_t bytes) {
    if (ec) {
      if (!aborted_ && !isOrdinaryDisconnect(ec)) {
        spdlog::info("connection {}: ended: {}", id(), ec.message());
      }
      finish();
      return;
    }
    bool filled = received(bytes);
    readNext(!filled && !readRacesWrite_);
  }

  // Plain sockets: reads what is there now, without waiting.
  void readNow() {
    auto room = prepareRead();
    beast::error_code ec;
    std::size_t bytes = stream_.read_some(room, ec);
    if (ec == net::error::would_block || ec == net::error::try_again) {
      readNext(/*drained=*/true);
      return;
    }
    if (ec) {
      onRead(ec, 0);
      return;
    }
    if (received(bytes)) {
      // More is waiting: read it after the handlers that are ready now, so that a connection
      // that sends a lot does not keep the thread from the others.
      net::post(executor_, [self = self()] { self->readNow(); });
      return;
    }
    readNext(/*drained=*/true);
  }

  // Handles `bytes` just read into `in_`. Returns whether they filled the room offered (the
  // peer may have sent more).
  bool received(std::size_t bytes) {
    heard_ = true;
    bool filled = bytes == in_.capacity() - in_.size();
    in_.commit(bytes);
    std::size_t messages = 0;
    {
      CorkScope cork(executor_);
      messages = handleInput();
    }
    backlog_ = filled && messages > 0 && in_.size() > 0;
    if (in_.size() == 0 && in_.capacity() > kKeptReadBufferFactor * firstPieceBytes_) {
      in_.release();
    }
    return filled;
  }

  // Handles every whole frame received; what is left is the start of the next one. Returns
  // how many messages it handed on.
  std::size_t handleInput() {
    std::size_t used = 0, messages = 0;
    // Bounded: each turn uses up at least one whole frame, or stops.
    while (!failed_ && !peerClosed_) {
      auto event = reader_.next(std::span<char>(in_.data() + used, in_.size() - used));
      used += event.consumed;
      switch (event.kind) {
        case ws::FrameReader::Kind::needMore:
          needBytes_ = event.needBytes;
          in_.consume(used);
          return messages;
        case ws::FrameReader::Kind::message:
          // Once we are closing, what the peer still sends is read (to see its close) and
          // dropped.
          if (!closeQueued_ && !aborted_) deliver(event.payload);
          ++messages;
          firstPieceBytes_ = static_cast<std::uint16_t>(std::clamp(
              std::bit_ceil(event.payload.size() + ws::kMaxClientHeaderBytes), kSmallestPieceBytes,
              kReadPieceBytes));
          break;
        case ws::FrameReader::Kind::ping:
          enqueue(ControlFrame{ws::Opcode::pong, std::string(event.payload)});
          break;
        case ws::FrameReader::Kind::pong:
          break;  // heard_ already says the peer is there
        case ws::FrameReader::Kind::close:
          onPeerClose(event.closeCode);
          break;
        case ws::FrameReader::Kind::error:
          onProtocolError(event.closeCode, event.what);
          break;
      }
    }
    // Closed or failed: nothing more the peer sends is looked at.
    in_.consume(in_.size());
    needBytes_ = 0;
    return messages;
  }

  void deliver(std::string_view message) {
    auto now = Clock::now();
    if (bucket_.isFull(now)) rateStrikes_ = 0;  // calm again: forgive earlier floods
    if (!bucket_.tryTake(now)) {
      ++rateStrikes_;
      bool closing = rateStrikes_ >= limits_.rateLimitStrikesBeforeClose;
      enqueue(QueuedText{rateLimitedError()});
      if (closing) close(protocol::CloseCode::RateLimited, "rate limited");
      if (rateStrikes_ == 1 || closing) {
        handler_->onLimitExceeded(*this, closing
                                             ? "message rate limit exceeded again, closed with 4429"
                                             : "message rate limit exceeded");
      }
      return;
    }
    RelayStamp stamp(std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
    handler_->onMessage(*this, message);
  }

  // The peer's close: answered with the same code (RFC 6455 §5.5.1), then the connection
  // ends once our close is out; if ours went first, it ends now.
  void onPeerClose(std::uint16_t code) {
    peerClosed_ = true;
    if (closeSent_) {
      abort();
      return;
    }
    enqueue(ControlFrame{ws::Opcode::close, code ? ws::closePayload(code, {}) : std::string{}});
    if (!closeQueued_) abort();  // could not queue it (not open, or already dropped)
  }

  void onProtocolError(std::uint16_t code, const char* what) {
    failed_ = true;
    if (code == ws::kCloseTooBig) {
      handler_->onLimitExceeded(*this, "message over the size limit, closed with 1009");
    } else {
      spdlog::info("connection {}: broke the WebSocket protocol ({}), closed with {}", id(), what,
                   code);
    }
    // Nothing the peer sends now is read, so its close is not waited for.
    peerClosed_ = true;
    enqueue(ControlFrame{ws::Opcode::close, ws::closePayload(code, what)});
    if (!closeQueued_) abort();
  }

  // --- writing ------------------------------------------------------------------------------

  void enqueue(Outgoing item) {
    // Dropped (aborted) already: nothing more can go out, and the drop was counted once.
    if (finished_ || closeQueued_ || aborted_) return;
    bool isClose = std::holds_alternative<ControlFrame>(item) &&
                   std::get<ControlFrame>(item).opcode == ws::Opcode::close;
    if (!opened_) {
      // Still in the handshake (e.g. shutdown right after the upgrade): nothing to send yet,
      // and a close is simply dropping the connection.
      if (isClose) abort();
      return;
    }
    if (queue_.size() + inFlight_ >= limits_.maxQueuedWrites) {
      spdlog::warn("connection {}: peer too slow ({} messages queued), dropped", id(),
                   queue_.size() + inFlight_);
      handler_->onDroppedTooSlow(*this);
      abort();
      return;
    }
    if (isClose) closeQueued_ = true;
    queue_.push_back(std::move(item));
    if (writing_) return;
    // Held for the flush, up to one system call's worth: past that it goes now, so that what
    // waits for the flush never counts against the slow-peer limit.
    if (tlCork.holding() && queue_.size() < kWriteBatch) {
      if (!listed) {
        listed = true;
        tlCork.waiting.push_back(self());
      }
      return;
    }
    write();
  }

  void uncork() override {
    if (!writing_ && !finished_) write();
  }

  // Writes what is queued, up to kWriteBatch messages a system call. A plain socket is
  // offered the bytes at once; what it does not take (and everything, under TLS) is copied
  // and written asynchronously, and the queue waits for that write.
  void write() {
    // Bounded: each turn takes at least one message off the queue, or stops.
    while (!queue_.empty() && !writing_ && !aborted_) {
      std::size_t count = std::min(queue_.size(), kWriteBatch);
      std::array<std::array<std::uint8_t, ws::kMaxServerHeaderBytes>, kWriteBatch> headers;
      std::array<net::const_buffer, 2 * kWriteBatch> buffers;
      std::size_t total = 0;
      bool closing = false;
      std::int64_t now = 0;  // read once a batch, if any message in it is timed
      for (std::size_t i = 0; i < count; ++i) {
        std::string_view payload;
        ws::Opcode opcode = ws::Opcode::text;
        if (auto* text = std::get_if<QueuedText>(&queue_.at(i))) {
          payload = *text->text;
          if (text->cameAt != 0) {
            if (now == 0) now = RelayStamp::now();
            relayTimer_.observe(now - text->cameAt);
          }
        } else {
          auto& frame = std::get<ControlFrame>(queue_.at(i));
          payload = frame.payload;
          opcode = frame.opcode;
          closing = closing || opcode == ws::Opcode::close;
        }
        auto headerBytes = ws::writeFrameHeader(opcode, payload.size(), headers[i].data());
        buffers[2 * i] = net::const_buffer(headers[i].data(), headerBytes);
        buffers[2 * i + 1] = net::const_buffer(payload.data(), payload.size());
        total += headerBytes + payload.size();
      }
      std::span<const net::const_buffer> frames(buffers.data(), 2 * count);
      std::size_t written = 0;
      if constexpr (kPlain) {
        beast::error_code ec;
        written = stream_.write_some(frames, ec);
        if (ec && ec != net::error::would_block && ec != net::error::try_again) {
          onWriteFailed(ec);
          return;
        }
      }
      if (written == total) {
        queue_.pop_front(count);
        if (closing) onCloseSent();
        continue;
      }
      // The rest waits for the socket: copy it, so the queue's texts can go.
      pending_.clear();
      pending_.reserve(total - written);
      std::size_t skip = written;
      for (const auto& buffer : frames) {
        auto* data = static_cast<const char*>(buffer.data());
        std::size_t size = buffer.size();
        std::size_t skipped = std::min(skip, size);
        skip -= skipped;
        pending_.append(data + skipped, size - skipped);
      }
      queue_.pop_front(count);
      inFlight_ = count;
      closeInFlight_ = closing;
      writing_ = true;
      readRacesWrite_ = true;
      net::async_write(stream_, net::buffer(pending_),
                       net::bind_executor(executor_, [self = self()](beast::error_code ec,
                                                                    std::size_t) {
                         self->onWritten(ec);
                       }));
    }
  }

  void onWritten(beast::error_code ec) {
    writing_ = false;
    inFlight_ = 0;
    releasePending();
    if (ec) {
      onWriteFailed(ec);
      return;
    }
    if (closeInFlight_) {
      closeInFlight_ = false;
      onCloseSent();
    }
    if (!finished_) write();
  }

  void onWriteFailed(beast::error_code ec) {
    if (!aborted_ && !isOrdinaryDisconnect(ec)) {
      spdlog::info("connection {}: write failed: {}", id(), ec.message());
    }
    abort();
  }

  void releasePending() {
    pending_.clear();
    if (pending_.capacity() > kKeptPendingBytes) pending_.shrink_to_fit();
  }

  // Our close frame is out: the connection ends when the peer's close comes (or came), or
  // when it has not come within the handshake timeout.
  void onCloseSent() {
    closeSent_ = true;
    if (peerClosed_) {
      abort();
      return;
    }
    armTimer(kHandshakeTimeout);
  }

  // --- the one timer: the handshake's and the close's timeouts, and the pings --------------

  void armTimer(Clock::duration delay) {
    timer_.expires_after(delay);
    timer_.async_wait(net::bind_executor(executor_, [self = self()](beast::error_code ec) {
      if (!ec) self->onTimer();
    }));
  }

  void onTimer() {
    if (finished_ || aborted_) return;
    if (!opened_ || closeSent_) {
      spdlog::debug("connection {}: {} timed out", id(), opened_ ? "closing" : "handshake");
      abort();
      return;
    }
    // A ping after an interval without a word from the peer; dropped after a second one.
    if (heard_) {
      heard_ = false;
      pinged_ = false;
    } else if (!pinged_) {
      pinged_ = true;
      enqueue(ControlFrame{ws::Opcode::ping, {}});
    } else {
      spdlog::info("connection {}: no answer to pings, dropped", id());
      abort();
      return;
    }
    armTimer(limits_.pingInterval);
  }

  // --- the end ------------------------------------------------------------------------------

  // Drops the connection at once; the pending read then fails and finish() runs.
  void abort() {
    if (aborted_) return;
    aborted_ = true;
    beast::error_code ignored;
    socket().shutdown(net::socket_base::shutdown_both, ignored);
    socket().close(ignored);
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    if (deadline_) deadline_->cancel();
    if (!aborted_) abort();  // the socket goes now; a write in flight completes with an error
    handler_->onClose(*this);
  }

  // The shard's executor: dispatch() runs at once on the shard's thread and posts from any
  // other, so a relay between two connections of one shard writes within the read handler.
  net::io_context::executor_type executor_;
  Stream stream_;
  std::unique_ptr<HttpRequest> request_;  // the upgrade request, until the handshake
  std::unique_ptr<ConnectionHandler> handler_;
  const SignalingLimits& limits_;  // the hub's, which every handler keeps alive
  RelayTimer& relayTimer_;         // the hub's too
  ReadBuffer in_;
  std::size_t needBytes_ = 0;  // the frame being read needs this many bytes in `in_`
  ws::FrameReader reader_;
  std::uint16_t firstPieceBytes_ = kSmallestPieceBytes;
  OutgoingQueue queue_;
  std::string pending_;        // a write in flight (the handshake's answer, or what the
                               // socket did not take at once)
  std::size_t inFlight_ = 0;   // messages in pending_
  net::steady_timer timer_;
  bool opened_ = false;        // the WebSocket handshake completed
  bool writing_ = false;       // pending_ is being written
  bool closeQueued_ = false;   // our close frame is queued: nothing more is sent
  bool closeInFlight_ = false; // ... and is in pending_
  bool closeSent_ = false;     // ... and is out
  bool peerClosed_ = false;    // the peer's close came, or we stopped reading
  bool failed_ = false;        // the peer broke the protocol
  bool heard_ = false;         // something came since the last tick of the timer
  bool backlog_ = false;       // the peer is ahead of us: the next read gets kBacklogPieceBytes
  bool pinged_ = false;        // a ping is out, unanswered
  bool readRacesWrite_ = false;  // a write waited for the socket while the pending read did
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
    const SignalingLimits& limits, RelayTimer& relayTimer, ConnectionId id,
    ConnectionLimiter::Slot slot, net::io_context* home) {
  return std::make_shared<WebSocketSession<PlainSocket>>(
      toPlainSocket(std::move(stream), home), std::move(request), std::move(handler), limits,
      relayTimer, id, std::move(slot));
}

std::shared_ptr<SignalingConnection> makeWebSocketSession(
    TlsStream stream, HttpRequest request, std::unique_ptr<ConnectionHandler> handler,
    const SignalingLimits& limits, RelayTimer& relayTimer, ConnectionId id,
    ConnectionLimiter::Slot slot) {
  return std::make_shared<WebSocketSession<TlsStream>>(std::move(stream), std::move(request),
                                                       std::move(handler), limits, relayTimer,
                                                       id, std::move(slot));
}

}  // namespace seccam::server
