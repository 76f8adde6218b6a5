// Sliding failure windows in Redis: see shared_failure_window.hpp. Each operation is one
// Lua script (atomic, on Redis's clock); the worker thread that runs the API waits for it.
#include "server/bus/shared_failure_window.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

#include "common/crypto.hpp"
#include "server/auth/rate_limiter.hpp"

namespace seccam::server::bus {
namespace {

// Prunes what left the window, adds one failure (a unique member), keeps the newest `max`.
constexpr const char* kRecordScript = R"(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
local max = tonumber(ARGV[2])
if n > max then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
)";

// {count, age of the oldest in ms, age of the newest in ms} of the failures in the window.
constexpr const char* kStateScript = R"(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {0, -1, -1} end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {n, now - tonumber(first[2]), now - tonumber(last[2])}
)";

class SharedFailureWindow final : public auth::FailureWindow {
 public:
  SharedFailureWindow(RedisBus& bus, std::string prefix, std::size_t maxFailures,
                      std::chrono::seconds window)
      : bus_(bus),
        prefix_(std::move(prefix)),
        max_(maxFailures),
        window_(window),
        local_(maxFailures, window) {}

  std::optional<std::chrono::seconds> retryAfter(const std::string& key,
                                                 Clock::time_point now) override {
    auto s = state(key);
    if (!s) return local_.retryAfter(key, now);
    if (s->count < max_) return std::nullopt;
    auto waitMs = std::chrono::milliseconds(window_) - s->oldestAge;
    auto wait = std::chrono::ceil<std::chrono::seconds>(waitMs);
    return std::max(wait, std::chrono::seconds(1));
  }

  void recordFailure(const std::string& key, Clock::time_point now) override {
    auto reply = bus_.call({"EVAL", kRecordScript, "1", keyOf(key),
                            std::to_string(std::chrono::milliseconds(window_).count()),
                            std::to_string(max_), std::to_string(++nonce_) + nonceSalt()});
    if (!reply.ok()) {
      unreachable(reply);
      local_.recordFailure(key, now);
    }
  }

  std::size_t count(const std::string& key, Clock::time_point now) override {
    auto s = state(key);
    return s ? s->count : local_.count(key, now);
  }

  std::optional<Clock::time_point> latest(const std::string& key, Clock::time_point now) override {
    auto s = state(key);
    if (!s) return local_.latest(key, now);
    if (s->count == 0) return std::nullopt;
    return now - s->newestAge;
  }

  void reset(const std::string& key) override {
    local_.reset(key);
    auto reply = bus_.call({"DEL", keyOf(key)});
    if (!reply.ok()) unreachable(reply);
  }

 private:
  struct State {
    std::size_t count = 0;
    std::chrono::milliseconds oldestAge{0};
    std::chrono::milliseconds newestAge{0};
  };

  std::optional<State> state(const std::string& key) {
    auto reply = bus_.call({"EVAL", kStateScript, "1", keyOf(key),
                            std::to_string(std::chrono::milliseconds(window_).count())});
    if (reply.type != Reply::Type::array || reply.elements.size() != 3) {
      unreachable(reply);
      return std::nullopt;
    }
    State s;
    s.count = static_cast<std::size_t>(std::max(0LL, reply.elements[0].integer));
    s.oldestAge = std::chrono::milliseconds(reply.elements[1].integer);
    s.newestAge = std::chrono::milliseconds(reply.elements[2].integer);
    return s;
  }

  // Keys as digests: a 16 KiB username costs what a short one costs, and no name can
  // reach into another key's text.
  std::string keyOf(const std::string& key) const {
    auto digest = crypto::sha256(key);
    return prefix_ + crypto::toHex(digest);
  }

  static const std::string& nonceSalt() {
    static const std::string salt = ":" + crypto::toHex(crypto::randomBytes(8));
    return salt;
  }

  void unreachable(const Reply& reply) const {
    // The bus logs the lost connection itself; a Redis error reply is ours to tell.
    if (reply.type == Reply::Type::error)
      spdlog::error("bus: throttle script failed: {}", reply.text);
  }

  RedisBus& bus_;
  std::string prefix_;
  std::size_t max_;
  std::chrono::seconds window_;
  auth::RateLimiter local_;  // while Redis is unreachable
  std::atomic<std::uint64_t> nonce_{0};
};

}  // namespace

auth::AttemptThrottle::WindowFactory sharedFailureWindows(RedisBus& bus, std::string scope) {
  return [&bus, scope](const std::string& name, std::size_t maxFailures,
                       std::chrono::seconds window) -> std::unique_ptr<auth::FailureWindow> {
    return std::make_unique<SharedFailureWindow>(bus, "seccam:fail:" + scope + ":" + name + ":",
                                                 maxFailures, window);
  };
}

}  // namespace seccam::server::bus
