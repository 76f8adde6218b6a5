// One signaling WebSocket as the hub's logic sees it (no Beast here): send, close, run on
// its IO thread (shard), and a deadline. ConnectionHandler is what a connection reports to.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/protocol.hpp"
#include "server/signaling/routing_table.hpp"

namespace seccam::server {

using SharedText = std::shared_ptr<const std::string>;

// When the message this thread is handling came in: its read from a WebSocket, or its arrival
// over the bus (steady clock, nanoseconds since its epoch). A send() made while it is set
// carries it to the write, which adds the time between to the relay-time histogram
// (RelayTimer). Set for the handling of one message, on the stack; none (0) otherwise.
class RelayStamp {
 public:
  explicit RelayStamp(std::int64_t nanos);
  ~RelayStamp();
  RelayStamp(const RelayStamp&) = delete;
  RelayStamp& operator=(const RelayStamp&) = delete;
  static std::int64_t current();
  static std::int64_t now();

 private:
  std::int64_t outer_;
};

class SignalingConnection : public std::enable_shared_from_this<SignalingConnection> {
 public:
  explicit SignalingConnection(ConnectionId id) : id_(id) {}
  virtual ~SignalingConnection() = default;
  SignalingConnection(const SignalingConnection&) = delete;
  SignalingConnection& operator=(const SignalingConnection&) = delete;

  ConnectionId id() const { return id_; }
  // The IO thread (shard) it lives on, as the hub counts it (0 without shards).
  std::uint16_t shard() const { return shard_; }
  void setShard(std::uint16_t shard) { shard_ = shard; }
  // A stand-in for a connection on another node (docs/BUS.md): the hub forwards to it over
  // the bus instead of sending.
  virtual bool isRemote() const { return false; }

  // Completes the WebSocket handshake and starts reading.
  virtual void start() = 0;
  // Queues a text message. Any thread; in order per calling thread; on the connection's own
  // thread (its shard's) it is queued, and written when it can be, before the call returns.
  virtual void send(SharedText text) = 0;
  void send(std::string text) { send(std::make_shared<const std::string>(std::move(text))); }
  // Sends the close frame after what is already queued; later sends are dropped. Any thread.
  virtual void close(protocol::CloseCode code, std::string reason = {}) = 0;
  // Runs `work` on the connection's thread, later. Any thread.
  virtual void post(std::function<void()> work) = 0;
  // Calls `expired` on its thread after `delay` unless the connection ended first. One
  // deadline per connection. Strand only.
  virtual void startDeadline(std::chrono::steady_clock::duration delay,
                             std::function<void()> expired) = 0;
  virtual void cancelDeadline() = 0;

 private:
  ConnectionId id_;
  std::uint16_t shard_ = 0;
};

// The role of a connection (camera or viewer). Every call comes on the connection's thread.
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void onOpen(SignalingConnection& connection) = 0;
  virtual void onMessage(SignalingConnection& connection, std::string_view text) = 0;
  // A limit was hit (rate, size); the connection already answered it.
  virtual void onLimitExceeded(SignalingConnection& connection, std::string_view what) = 0;
  // The peer read too slowly for what was sent to it (write queue full) and was dropped.
  virtual void onDroppedTooSlow(SignalingConnection& connection) = 0;
  // Exactly once, also when the handshake failed (onOpen was then never called).
  virtual void onClose(SignalingConnection& connection) = 0;
};

}  // namespace seccam::server
