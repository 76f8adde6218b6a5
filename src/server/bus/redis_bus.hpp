// Our connection to Redis (docs/BUS.md): one connection for commands and one for SUBSCRIBE,
// each reconnecting by itself with backoff, on hiredis's async API driven by the server's own
// io_context (redis_bus.cpp holds the adapter). No hiredis or Asio in this header.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace seccam::server::bus {

struct RedisAddress {
  std::string host;
  unsigned short port = 6379;
  // Sent with AUTH on every connection when set: Redis's `requirepass` (no username, the
  // "default" user) or an ACL user (Redis 6 and later).
  std::string username;
  std::string password;
};

// "redis://[[USER]:PASSWORD@]HOST[:PORT]" (PORT 6379 when left out; USER and PASSWORD
// percent-encoded where they hold '%' or characters a URL reserves); nullopt for anything else.
std::optional<RedisAddress> parseRedisUrl(std::string_view url);
// The URL for messages: its password replaced by "***".
std::string redactRedisUrl(std::string_view url);

// One Redis reply as plain data.
struct Reply {
  // none: no reply at all (not connected, connection lost, timeout).
  enum class Type { none, nil, text, integer, array, error };
  Type type = Type::none;
  std::string text;  // text, status and error replies
  long long integer = 0;
  std::vector<Reply> elements;

  bool ok() const { return type != Type::none && type != Type::error; }
};

class RedisBus {
 public:
  // Runs on the bus's own strand: keep it short (post real work elsewhere).
  using MessageHandler = std::function<void(const std::string& channel, std::string payload)>;
  // `up`: both connections are connected and the subscriptions confirmed; false when either
  // is lost. Called on the bus's strand, once per change.
  using StateHandler = std::function<void(bool up)>;

  RedisBus(boost::asio::io_context& io, RedisAddress address);
  ~RedisBus();
  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  // Before start(): what to subscribe to (again after every reconnection) and whom to tell.
  void subscribe(std::vector<std::string> channels, MessageHandler onMessage);
  void onStateChange(StateHandler handler);
  // Runs `work` on the bus's strand every `interval`, connected or not, until stop().
  void every(std::chrono::milliseconds interval, std::function<void()> work);
  void start();
  // Closes both connections; no handler is called afterwards. Any thread.
  void stop();

  bool connected() const;
  std::string describe() const;  // "redis://host:port", for logs

  // Sends a command (any thread). `done`, if any, runs on the bus's strand with the reply,
  // or with Reply::Type::none when not connected or the connection is lost before it came.
  void command(std::vector<std::string> args, std::function<void(Reply)> done = {});
  // Blocks for the reply (none on timeout). Worker threads only: never an IO thread.
  Reply call(std::vector<std::string> args,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seccam::server::bus
