// The hiredis ⇄ Asio adapter: hiredis's async context does the protocol; its event hooks
// (addRead/delRead/addWrite/delWrite/cleanup) arm waits on the context's socket through an
// Asio descriptor, and every hiredis call happens on one strand (hiredis is not
// thread-safe). A lost connection is retried with backoff; the loss is logged once.
#include "server/bus/redis_bus.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <future>
#include <mutex>
#include <utility>

namespace seccam::server::bus {
namespace net = boost::asio;

namespace {
constexpr std::chrono::milliseconds kFirstRetry{100};
constexpr std::chrono::milliseconds kMaxRetry{2000};
// A Redis that stops answering without closing (a network cut, a stopped process) is noticed
// by a PING this often that must be answered within kPingTimeout.
constexpr std::chrono::milliseconds kPingInterval{1000};
constexpr std::chrono::milliseconds kPingTimeout{3000};

Reply toReply(const redisReply* r) {
  Reply out;
  if (!r) return out;
  switch (r->type) {
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::nil;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::text;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(toReply(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}
}  // namespace

namespace {
// RFC 3986 percent-decoding; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percentDecoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}
}  // namespace

std::optional<RedisAddress> parseRedisUrl(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (!url.empty() && url.back() == '/') url.remove_suffix(1);
  RedisAddress address;
  // The host cannot hold '@', so the last one ends the credentials (a password may hold '@').
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    auto credentials = url.substr(0, at);
    url.remove_prefix(at + 1);
    auto colon = credentials.find(':');
    if (colon == std::string_view::npos) return std::nullopt;  // a user without a password
    auto username = percentDecoded(credentials.substr(0, colon));
    auto password = percentDecoded(credentials.substr(colon + 1));
    if (!username || !password || password->empty()) return std::nullopt;
    address.username = std::move(*username);
    address.password = std::move(*password);
  }
  auto colon = url.rfind(':');
  std::string_view host = colon == std::string_view::npos ? url : url.substr(0, colon);
  if (host.empty() || host.find_first_of("/@?#[] ") != std::string_view::npos) return std::nullopt;
  address.host = std::string(host);
  if (colon != std::string_view::npos) {
    auto portText = url.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535)
      return std::nullopt;
    address.port = static_cast<unsigned short>(port);
  }
  if (address.host == "localhost") address.host = "127.0.0.1";
  return address;
}

std::string redactRedisUrl(std::string_view url) {
  auto at = url.rfind('@');
  auto start = url.find("://");
  if (at == std::string_view::npos || start == std::string_view::npos || start > at) {
    return std::string(url);
  }
  auto colon = url.find(':', start + 3);
  // Without ':' it is not known which half is the user name: all of it goes.
  if (colon == std::string_view::npos || colon > at) {
    return std::string(url.substr(0, start + 3)) + "***" + std::string(url.substr(at));
  }
  return std::string(url.substr(0, colon)) + ":***" + std::string(url.substr(at));
}

struct RedisBus::Impl : std::enable_shared_from_this<RedisBus::Impl> {
  // One hiredis connection and its socket.
  struct Link {
    Impl* impl = nullptr;
    bool subscriber = false;
    redisAsyncContext* ac = nullptr;
    std::unique_ptr<net::posix::stream_descriptor> socket;
    bool wantRead = false, wantWrite = false, readArmed = false, writeArmed = false;
    std::uint64_t generation = 0;  // a new one per context: stale waits do nothing
    bool up = false;
    bool wasUp = false;          // up since the last loss was logged
    bool failureLogged = false;  // the loss (or the first failure) said once
    std::size_t confirmed = 0;   // subscriptions confirmed on this connection
    std::string closeReason;     // why we are dropping it (refused credentials), for the log
    // When TCP connected (this connection); `up` once Redis answered on it.
    std::optional<std::chrono::steady_clock::time_point> connectedAt;
    std::chrono::milliseconds backoff = kFirstRetry;
    std::unique_ptr<net::steady_timer> retry;
  };

  net::io_context& io;
  net::strand<net::io_context::executor_type> strand;
  RedisAddress address;
  Link commands, subscriber;
  std::vector<std::string> channels;
  MessageHandler onMessage;
  StateHandler onState;
  std::atomic<bool> up{false};
  bool stopped = false;  // strand
  struct Periodic {
    std::chrono::milliseconds interval;
    std::function<void()> work;
    std::unique_ptr<net::steady_timer> timer;
  };
  std::vector<std::unique_ptr<Periodic>> periodic;
  bool pingOutstanding = false;
  std::chrono::steady_clock::time_point pingSent;

  void watchdog() {
    // A connection whose AUTH, PING or SUBSCRIBE gets no answer (a stopped Redis, something
    // else on that port) is given up as a lost one would be.
    auto now = std::chrono::steady_clock::now();
    for (Link* link : {&commands, &subscriber}) {
      if (link->ac && !link->up && link->connectedAt && now - *link->connectedAt > kPingTimeout) {
        link->closeReason = "Redis did not answer within " + std::to_string(kPingTimeout.count()) + " ms";
        redisAsyncFree(link->ac);  // the replies it waits for never come: cleanup follows now
      }
    }
    if (!commands.up || !commands.ac) {
      pingOutstanding = false;
      return;
    }
    if (pingOutstanding) {
      if (std::chrono::steady_clock::now() - pingSent < kPingTimeout) return;
      pingOutstanding = false;
      spdlog::error("bus: Redis at {} has not answered for {} ms", describe(),
                    kPingTimeout.count());
      // Drop both connections: pending commands end without a reply, and reconnecting starts.
      for (Link* link : {&commands, &subscriber}) {
        if (link->ac) redisAsyncFree(link->ac);
      }
      return;
    }
    pingOutstanding = true;
    pingSent = std::chrono::steady_clock::now();
    auto self = shared_from_this();
    send({"PING"}, [self](Reply) { self->pingOutstanding = false; });
  }

  void schedule(Periodic& p) {
    p.timer->expires_after(p.interval);
    auto self = shared_from_this();
    p.timer->async_wait([self, &p](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      p.work();
      self->schedule(p);
    });
  }

  Impl(net::io_context& io_, RedisAddress address_)
      : io(io_), strand(net::make_strand(io_)), address(std::move(address_)) {
    for (Link* link : {&commands, &subscriber}) {
      link->impl = this;
      link->retry = std::make_unique<net::steady_timer>(strand);
    }
    subscriber.subscriber = true;
  }

  std::string describe() const {
    return "redis://" + address.host + ":" + std::to_string(address.port);
  }

  // --- hiredis event hooks (called by hiredis, on the strand) ---
  static void addRead(void* data) {
    auto* link = static_cast<Link*>(data);
    link->wantRead = true;
    link->impl->armRead(*link);
  }
  static void delRead(void* data) { static_cast<Link*>(data)->wantRead = false; }
  static void addWrite(void* data) {
    auto* link = static_cast<Link*>(data);
    link->wantWrite = true;
    link->impl->armWrite(*link);
  }
  static void delWrite(void* data) { static_cast<Link*>(data)->wantWrite = false; }
  static void cleanup(void* data) {
    // hiredis frees the context (and closes its socket) right after: give the socket back
    // first; pending waits end with operation_aborted and see a new generation.
    auto* link = static_cast<Link*>(data);
    if (link->socket) {
      boost::system::error_code ignored;
      link->socket->cancel(ignored);
      (void)link->socket->release();
      link->socket.reset();
    }
    link->ac = nullptr;
    link->wantRead = link->wantWrite = false;
    ++link->generation;
    auto why = link->closeReason.empty() ? std::string("connection closed")
                                         : std::exchange(link->closeReason, {});
    link->impl->lost(*link, why);
  }

  void armRead(Link& link) {
    if (link.readArmed || !link.ac || !link.socket) return;
    link.readArmed = true;
    auto self = shared_from_this();
    link.socket->async_wait(net::posix::stream_descriptor::wait_read,
                            net::bind_executor(strand, [self, &link, gen = link.generation](
                                                           boost::system::error_code ec) {
                              if (gen != link.generation) return;
                              link.readArmed = false;
                              if (ec || !link.ac) return;
                              if (link.wantRead) redisAsyncHandleRead(link.ac);
                              if (gen == link.generation && link.ac && link.wantRead)
                                self->armRead(link);
                            }));
  }

  void armWrite(Link& link) {
    if (link.writeArmed || !link.ac || !link.socket) return;
    link.writeArmed = true;
    auto self = shared_from_this();
    link.socket->async_wait(net::posix::stream_descriptor::wait_write,
                            net::bind_executor(strand, [self, &link, gen = link.generation](
                                                           boost::system::error_code ec) {
                              if (gen != link.generation) return;
                              link.writeArmed = false;
                              if (ec || !link.ac) return;
                              if (link.wantWrite) redisAsyncHandleWrite(link.ac);
                              if (gen == link.generation && link.ac && link.wantWrite)
                                self->armWrite(link);
                            }));
  }

  // --- connection life ---
  // hiredis resolves a host name with a blocking getaddrinfo: on an IO thread that would
  // stall every connection of this node, so a name is resolved by Asio first.
  void connect(Link& link) {
    if (stopped || link.ac) return;
    boost::system::error_code notAnAddress;
    net::ip::make_address(address.host, notAnAddress);
    if (!notAnAddress) {
      connectTo(link, address.host);
      return;
    }
    auto resolver = std::make_shared<net::ip::tcp::resolver>(strand);
    auto self = shared_from_this();
    resolver->async_resolve(
        address.host, std::to_string(address.port),
        net::bind_executor(strand, [self, resolver, &link](
                                       boost::system::error_code ec,
                                       net::ip::tcp::resolver::results_type results) {
          if (self->stopped || link.ac) return;
          if (ec || results.empty()) {
            self->lost(link, "cannot resolve " + self->address.host + ": " +
                                 (ec ? ec.message() : "no address"));
            return;
          }
          self->connectTo(link, results.begin()->endpoint().address().to_string());
        }));
  }

  void connectTo(Link& link, const std::string& ip) {
    redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), address.port);
    if (!ac || ac->err) {
      std::string why = ac ? ac->errstr : "out of memory";
      if (ac) redisAsyncFree(ac);
      lost(link, why);
      return;
    }
    ++link.generation;
    link.ac = ac;
    link.readArmed = link.writeArmed = false;
    link.confirmed = 0;
    link.connectedAt.reset();
    ac->data = &link;
    link.socket = std::make_unique<net::posix::stream_descriptor>(strand, ac->c.fd);
    ac->ev.data = &link;
    ac->ev.addRead = &Impl::addRead;
    ac->ev.delRead = &Impl::delRead;
    ac->ev.addWrite = &Impl::addWrite;
    ac->ev.delWrite = &Impl::delWrite;
    ac->ev.cleanup = &Impl::cleanup;
    redisAsyncSetConnectCallback(ac, &Impl::onConnect);
    redisAsyncSetDisconnectCallback(ac, &Impl::onDisconnect);
  }

  static void onConnect(const redisAsyncContext* ac, int status) {
    auto* link = static_cast<Link*>(ac->data);
    if (status != REDIS_OK) return;  // cleanup follows and counts it as lost
    link->impl->connected(*link);
  }
  static void onDisconnect(const redisAsyncContext*, int) {}  // cleanup does the work

  // A new connection is used once Redis has answered a PING on it, after AUTH when [bus] url
  // has credentials (pipelined: Redis answers in order). A Redis that wants a password we do
  // not have, or refuses ours, answers with an error instead: the connection is dropped and
  // tried again later, and the node does not count itself connected.
  void connected(Link& link) {
    link.connectedAt = std::chrono::steady_clock::now();
    if (!address.password.empty()) {
      std::vector<const char*> argv{"AUTH"};
      std::vector<std::size_t> lengths{4};
      for (const std::string* part : {&address.username, &address.password}) {
        if (part->empty()) continue;  // no user name: Redis's requirepass ("default" user)
        argv.push_back(part->data());
        lengths.push_back(part->size());
      }
      redisAsyncCommandArgv(link.ac, &Impl::onAuthReply, &link, static_cast<int>(argv.size()),
                            argv.data(), lengths.data());
    }
    redisAsyncCommand(link.ac, &Impl::onReadyReply, &link, "PING");
  }

  static std::string errorText(const redisReply* reply) {
    return reply->str ? std::string(reply->str, reply->len) : std::string("an error");
  }

  static void onAuthReply(redisAsyncContext*, void* r, void* data) {
    auto* link = static_cast<Link*>(data);
    auto* reply = static_cast<redisReply*>(r);
    if (reply && reply->type == REDIS_REPLY_ERROR) {
      link->impl->refuse(*link, "Redis refused the user name and password in [bus] url (" +
                                    errorText(reply) + ")");
    }
  }

  static void onReadyReply(redisAsyncContext*, void* r, void* data) {
    auto* link = static_cast<Link*>(data);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || !link->closeReason.empty()) return;  // lost, or being dropped
    Impl& impl = *link->impl;
    if (reply->type == REDIS_REPLY_ERROR) {
      impl.refuse(*link, "Redis refused our commands (" + errorText(reply) +
                             "): does it want a password that [bus] url does not give?");
      return;
    }
    if (!link->subscriber || impl.channels.empty()) {
      impl.ready(*link);
      return;
    }
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<std::size_t> lengths{9};
    for (const auto& c : impl.channels) {
      argv.push_back(c.data());
      lengths.push_back(c.size());
    }
    redisAsyncCommandArgv(link->ac, &Impl::onSubscriberReply, link, static_cast<int>(argv.size()),
                          argv.data(), lengths.data());
  }

  // Redis answered: the connection is in use, and the next loss starts the backoff afresh (not
  // when TCP connects: a Redis that refuses us is retried no faster than one that is down).
  void ready(Link& link) {
    link.backoff = kFirstRetry;
    link.up = true;
    updateState();
  }

  // Drops a connection Redis refused; `why` is logged as the loss's reason.
  void refuse(Link& link, std::string why) {
    if (!link.ac || !link.closeReason.empty()) return;
    link.closeReason = std::move(why);
    redisAsyncDisconnect(link.ac);  // once the replies still due are in; cleanup follows
  }

  static void onSubscriberReply(redisAsyncContext*, void* r, void* data) {
    auto* link = static_cast<Link*>(data);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
    Impl& impl = *link->impl;
    std::string_view kind(reply->element[0]->str ? reply->element[0]->str : "",
                          reply->element[0]->len);
    if (kind == "message" && reply->element[2]->type == REDIS_REPLY_STRING) {
      if (impl.stopped || !impl.onMessage) return;
      impl.onMessage(std::string(reply->element[1]->str, reply->element[1]->len),
                     std::string(reply->element[2]->str, reply->element[2]->len));
    } else if (kind == "subscribe") {
      if (++link->confirmed == impl.channels.size()) impl.ready(*link);
    }
  }

  void lost(Link& link, const std::string& why) {
    bool was = link.up;
    link.up = false;
    updateState();
    if (stopped) return;
    if (was || !link.failureLogged) {
      spdlog::error("bus: {} connection to Redis at {} {}: {}; retrying until it is back",
                    link.subscriber ? "subscriber" : "command", describe(), was ? "lost" : "failed",
                    why);
      link.failureLogged = true;
    }
    link.retry->expires_after(link.backoff);
    link.backoff = std::min(link.backoff * 2, kMaxRetry);
    auto self = shared_from_this();
    link.retry->async_wait([self, &link](boost::system::error_code ec) {
      if (!ec) self->connect(link);
    });
  }

  void updateState() {
    bool now = commands.up && subscriber.up && !stopped;
    if (now == up.load()) return;
    up.store(now);
    if (now) {
      spdlog::info("bus: connected to Redis at {}", describe());
      commands.failureLogged = subscriber.failureLogged = false;
    }
    if (onState && !stopped) onState(now);
  }

  // --- commands ---
  static void onCommandReply(redisAsyncContext* ac, void* r, void* data) {
    std::unique_ptr<std::function<void(Reply)>> done(
        static_cast<std::function<void(Reply)>*>(data));
    auto* link = static_cast<Link*>(ac->data);
    if (link && link->impl->stopped) return;  // shutting down: nobody waits any more
    if (*done) (*done)(toReply(static_cast<redisReply*>(r)));
  }

  void send(const std::vector<std::string>& args, std::function<void(Reply)> done) {
    if (stopped || !commands.up || !commands.ac) {
      if (done) done(Reply{});
      return;
    }
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* holder = new std::function<void(Reply)>(std::move(done));
    if (redisAsyncCommandArgv(commands.ac, &Impl::onCommandReply, holder,
                              static_cast<int>(argv.size()), argv.data(),
                              lengths.data()) != REDIS_OK) {
      std::unique_ptr<std::function<void(Reply)>> owned(holder);
      if (*owned) (*owned)(Reply{});
    }
  }

  void shutdown() {
    stopped = true;
    up.store(false);
    for (auto& p : periodic) p->timer->cancel();
    for (Link* link : {&commands, &subscriber}) {
      link->retry->cancel();
      if (link->ac) {
        redisAsyncContext* ac = link->ac;
        redisAsyncFree(ac);  // pending callbacks get no reply; cleanup runs
      }
    }
  }
};

RedisBus::RedisBus(net::io_context& io, RedisAddress address)
    : impl_(std::make_shared<Impl>(io, std::move(address))) {}

RedisBus::~RedisBus() {
  // The IO threads have stopped by now (the server destroys the bus after they join).
  if (!impl_->stopped) impl_->shutdown();
}

void RedisBus::subscribe(std::vector<std::string> channels, MessageHandler onMessage) {
  impl_->channels = std::move(channels);
  impl_->onMessage = std::move(onMessage);
}

void RedisBus::onStateChange(StateHandler handler) { impl_->onState = std::move(handler); }

void RedisBus::every(std::chrono::milliseconds interval, std::function<void()> work) {
  impl_->periodic.push_back(std::make_unique<Impl::Periodic>(Impl::Periodic{
      interval, std::move(work), std::make_unique<net::steady_timer>(impl_->strand)}));
}

void RedisBus::start() {
  std::weak_ptr<Impl> weak = impl_;
  every(kPingInterval, [weak] {
    if (auto impl = weak.lock()) impl->watchdog();
  });
  net::post(impl_->strand, [impl = impl_] {
    for (auto& p : impl->periodic) impl->schedule(*p);
    impl->connect(impl->commands);
    impl->connect(impl->subscriber);
  });
}

void RedisBus::stop() {
  net::post(impl_->strand, [impl = impl_] {
    if (!impl->stopped) impl->shutdown();
  });
}

bool RedisBus::connected() const { return impl_->up.load(); }
std::string RedisBus::describe() const { return impl_->describe(); }

void RedisBus::command(std::vector<std::string> args, std::function<void(Reply)> done) {
  net::post(impl_->strand,
            [impl = impl_, args = std::move(args), done = std::move(done)]() mutable {
              impl->send(args, std::move(done));
            });
}

Reply RedisBus::call(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  if (!connected()) return {};
  auto promise = std::make_shared<std::promise<Reply>>();
  auto future = promise->get_future();
  command(std::move(args), [promise](Reply r) { promise->set_value(std::move(r)); });
  if (future.wait_for(timeout) != std::future_status::ready) return {};
  return future.get();
}

}  // namespace seccam::server::bus
