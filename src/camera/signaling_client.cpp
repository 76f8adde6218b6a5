// Camera WebSocket client: see signaling_client.hpp.
#include "camera/signaling_client.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <variant>

#include "camera/agent_events.hpp"
#include "camera/reconnect_backoff.hpp"
#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/token_bucket.hpp"

namespace seccam::camera {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// The server pings every 20 s: a connection silent for this long is dead.
constexpr auto kIdleTimeout = std::chrono::seconds(45);
constexpr std::size_t kMaxQueuedMessages = 512;
// The server closes a connection that sends more than 50 messages a second sustained (burst
// 200; PROTOCOL.md "Limits"). The camera paces what it sends below that, so that viewers
// coming and going fast (each session is an answer and a dozen candidates) never get the
// camera, and every viewer with it, disconnected with 4429.
constexpr double kPacedMessagesPerSecond = 40;
constexpr double kPacedBurst = 150;
constexpr std::size_t kMaxIncomingMessageBytes = 64 * 1024;

struct ServerUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

ServerUrl parseServerUrl(const std::string& url) {
  ServerUrl out;
  std::string rest;
  if (url.rfind("wss://", 0) == 0) {
    out.tls = true;
    rest = url.substr(6);
  } else if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else {
    throw std::invalid_argument("server URL must start with ws:// or wss://");
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[')
    out.host = out.host.substr(1, out.host.size() - 2);
  return out;
}

using PlainSocket = websocket::stream<beast::tcp_stream>;
using TlsSocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
}  // namespace

struct SignalingClient::Impl : std::enable_shared_from_this<SignalingClient::Impl> {
  asio::io_context& io;
  ServerUrl url;
  std::string urlText;
  std::string cameraId;
  std::vector<std::uint8_t> deviceKey;
  Events events;
  asio::ssl::context tlsContext{asio::ssl::context::tls_client};
  tcp::resolver resolver;
  asio::steady_timer retryTimer;
  ReconnectBackoff backoff;
  std::variant<std::monostate, std::unique_ptr<PlainSocket>, std::unique_ptr<TlsSocket>> socket;
  beast::flat_buffer readBuffer;
  struct Outgoing {
    std::string text;
    std::string session;  // set when forgetSession() may drop it unsent
  };
  std::deque<Outgoing> outbox;
  TokenBucket pace{kPacedMessagesPerSecond, kPacedBurst, std::chrono::steady_clock::now()};
  asio::steady_timer paceTimer;
  bool writing = false;
  bool open = false;      // the WebSocket handshake completed
  bool welcomed = false;  // authenticated
  bool stopped = false;
  unsigned attempt = 0;  // identifies the current connection; stale handlers check it

  Impl(asio::io_context& context, std::string server, std::string id, std::vector<std::uint8_t> key,
       const std::string& caFile, Events e)
      : io(context),
        url(parseServerUrl(server)),
        urlText(std::move(server)),
        cameraId(std::move(id)),
        deviceKey(std::move(key)),
        events(std::move(e)),
        resolver(context),
        retryTimer(context),
        paceTimer(context) {
    tlsContext.set_default_verify_paths();
    if (!caFile.empty()) tlsContext.load_verify_file(caFile);  // throws: a start-up error
    tlsContext.set_verify_mode(asio::ssl::verify_peer);
    // The placement hint (PROTOCOL.md): the server keeps this connection on the thread of
    // the viewers that name this camera. Camera IDs need no escaping in a URL.
    url.target += (url.target.find('?') == std::string::npos ? "?camera=" : "&camera=") + cameraId;
  }

  template <typename F>
  void withSocket(F&& f) {
    std::visit(
        [&](auto& s) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) f(*s);
        },
        socket);
  }

  beast::tcp_stream& tcpStream() {
    if (auto* p = std::get_if<std::unique_ptr<PlainSocket>>(&socket))
      return beast::get_lowest_layer(**p);
    return beast::get_lowest_layer(*std::get<std::unique_ptr<TlsSocket>>(socket));
  }

  void connect() {
    if (stopped) return;
    ++attempt;
    open = welcomed = writing = false;
    outbox.clear();
    paceTimer.cancel();
    // The server's limit starts afresh with each connection.
    pace = TokenBucket(kPacedMessagesPerSecond, kPacedBurst, std::chrono::steady_clock::now());
    readBuffer.clear();
    if (url.tls)
      socket = std::make_unique<TlsSocket>(io, tlsContext);
    else
      socket = std::make_unique<PlainSocket>(io);
    spdlog::info("connecting to {}", urlText);
    resolver.async_resolve(
        url.host, url.port,
        [self = shared_from_this(), a = attempt](beast::error_code ec,
                                                 tcp::resolver::results_type results) {
          if (a != self->attempt) return;
          if (ec)
            return self->connectFailed("resolve",
                                       "cannot resolve " + self->url.host + ": " + ec.message());
          self->tcpStream().expires_after(kConnectTimeout);
          self->tcpStream().async_connect(
              results, [self, a](beast::error_code ec2, const tcp::endpoint&) {
                if (a != self->attempt) return;
                if (ec2) return self->connectFailed("tcp", "cannot connect: " + ec2.message());
                self->onTcpConnected();
              });
        });
  }

  void onTcpConnected() {
    tcpStream().expires_after(kHandshakeTimeout);
    // Each message leaves when written: an answer and its candidates go in a burst, and with
    // Nagle every one after the first would wait for the server's acknowledgement (a round
    // trip, or a delayed ACK's 40 ms). Browsers do the same for their WebSockets.
    beast::error_code ignored;
    tcpStream().socket().set_option(tcp::no_delay(true), ignored);
    if (auto* tls = std::get_if<std::unique_ptr<TlsSocket>>(&socket)) {
      auto& ssl = (*tls)->next_layer();
      if (!SSL_set_tlsext_host_name(ssl.native_handle(), url.host.c_str())) {
        return connectFailed("tls", "TLS: cannot set the server name");
      }
      ssl.set_verify_callback(asio::ssl::host_name_verification(url.host));
      ssl.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(),
                                                           a = attempt](beast::error_code ec) {
        if (a != self->attempt) return;
        if (ec) return self->connectFailed("tls", "TLS handshake failed: " + ec.message());
        self->websocketHandshake();
      });
    } else {
      websocketHandshake();
    }
  }

  void websocketHandshake() {
    withSocket([&](auto& ws) {
      beast::get_lowest_layer(ws).expires_never();
      auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
      timeouts.handshake_timeout = kHandshakeTimeout;
      timeouts.idle_timeout = kIdleTimeout;
      timeouts.keep_alive_pings = true;
      ws.set_option(timeouts);
      ws.read_message_max(kMaxIncomingMessageBytes);
      std::string host = url.host + ":" + url.port;
      ws.async_handshake(host, url.target,
                         [self = shared_from_this(), a = attempt](beast::error_code ec) {
                           if (a != self->attempt) return;
                           if (ec)
                             return self->connectFailed(
                                 "websocket", "WebSocket handshake failed: " + ec.message());
                           self->open = true;
                           spdlog::info("connected to {}", self->urlText);
                           self->read();
                         });
    });
  }

  void read() {
    withSocket([&](auto& ws) {
      ws.async_read(
          readBuffer, [self = shared_from_this(), a = attempt](beast::error_code ec, std::size_t) {
            if (a != self->attempt) return;
            if (ec) {
              int code = 0;
              std::string reason;
              self->withSocket([&](auto& s) {
                code = s.reason().code;
                reason = std::string(s.reason().reason.c_str());
              });
              if (ec == websocket::error::closed) {
                return self->lost("server closed the connection (" + std::to_string(code) +
                                      (reason.empty() ? "" : " " + reason) + ")",
                                  code);
              }
              return self->lost("connection lost: " + ec.message(), code);
            }
            std::string text = beast::buffers_to_string(self->readBuffer.data());
            self->readBuffer.consume(self->readBuffer.size());
            self->onText(text);
            if (a == self->attempt && !self->stopped) self->read();
          });
    });
  }

  void onText(const std::string& text) {
    auto parsed = protocol::parseServerToCamera(text);
    if (!parsed) {
      spdlog::warn("ignoring a message from the server: {}", parsed.error);
      event_log::emit(event_log::Kind::MessageIgnored, {{"why", std::string("bad_message")}});
      return;
    }
    auto& message = *parsed.message;
    if (auto* challenge = std::get_if<protocol::Challenge>(&message)) {
      protocol::Auth auth{cameraId, identity::signChallenge(deviceKey, challenge->nonce, cameraId)};
      enqueue(protocol::serialize(auth), {});
      return;
    }
    if (auto* welcome = std::get_if<protocol::Welcome>(&message)) {
      welcomed = true;
      backoff.reset();
      spdlog::info("authenticated as camera {} ({} ICE servers)", cameraId,
                   welcome->iceServers.size());
      event_log::emit(event_log::Kind::Connected, {{"server", urlText}});
      if (events.onWelcome) events.onWelcome(*welcome);
      return;
    }
    if (auto* error = std::get_if<protocol::Error>(&message)) {
      if (error->code == protocol::ErrorCode::Unauthorized) {
        spdlog::error("the server refused this camera: wrong device key or unknown camera ID '{}'",
                      cameraId);
      } else {
        spdlog::warn("server error {}: {}", protocol::codeName(*error), error->message);
      }
      event_log::emit(event_log::Kind::ServerError,
                      {{"code", std::string(protocol::codeName(*error))},
                       {"session", error->session}});
      if (!welcomed) return;
    }
    if (!welcomed) {
      spdlog::warn("ignoring a message that came before authentication");
      event_log::emit(event_log::Kind::MessageIgnored, {{"why", std::string("before_auth")}});
      return;
    }
    if (events.onMessage) events.onMessage(std::move(message));
  }

  void enqueue(std::string text, std::string session) {
    if (!open) return;
    if (outbox.size() >= kMaxQueuedMessages) {
      spdlog::warn("dropping a message to the server: {} already waiting", outbox.size());
      return;
    }
    outbox.push_back({std::move(text), std::move(session)});
    if (!writing) writeNext();
  }

  void forgetSession(const std::string& session) {
    // The front may be in flight (writing): it stays.
    auto first = writing && !outbox.empty() ? std::next(outbox.begin()) : outbox.begin();
    outbox.erase(std::remove_if(first, outbox.end(),
                                [&](const Outgoing& o) { return o.session == session; }),
                 outbox.end());
  }

  void writeNext() {
    if (outbox.empty() || !open) {
      writing = false;
      return;
    }
    writing = true;
    auto wait = pace.untilToken(std::chrono::steady_clock::now());
    if (wait > std::chrono::steady_clock::duration::zero()) {
      paceTimer.expires_after(wait);
      paceTimer.async_wait([self = shared_from_this(), a = attempt](beast::error_code ec) {
        if (!ec && a == self->attempt) self->writeNext();
      });
      return;
    }
    pace.tryTake(std::chrono::steady_clock::now());
    withSocket([&](auto& ws) {
      ws.text(true);
      ws.async_write(asio::buffer(outbox.front().text),
                     [self = shared_from_this(), a = attempt](beast::error_code ec, std::size_t) {
                       if (a != self->attempt) return;
                       if (ec) return self->lost("write failed: " + ec.message(), 0);
                       self->outbox.pop_front();
                       self->writeNext();
                     });
    });
  }

  // An attempt that failed before the WebSocket opened; `stage` says where (resolve, tcp, tls,
  // websocket), for the event log.
  void connectFailed(const char* stage, const std::string& why) {
    event_log::emit(event_log::Kind::ConnectFailed, {{"stage", std::string(stage)}});
    lost(why, 0);
  }

  // The one place that decides how a lost connection is reported and retried.
  void lost(const std::string& why, int closeCode) {
    bool wasWelcomed = welcomed;
    open = welcomed = writing = false;
    ++attempt;  // every handler of the old connection is now stale
    socket = std::monostate{};
    if (stopped) return;
    if (closeCode == protocol::value(protocol::CloseCode::Unauthorized)) {
      spdlog::error(
          "authentication refused (close code 4401): the device key is wrong or the "
          "camera ID '{}' is unknown to the server; check the camera's config",
          cameraId);
      event_log::emit(event_log::Kind::AuthRefused, {{"closeCode", std::int64_t{closeCode}}});
    } else if (closeCode == protocol::value(protocol::CloseCode::Replaced)) {
      spdlog::warn("replaced by a newer connection for the same camera (4409)");
      event_log::emit(event_log::Kind::Replaced);
    } else {
      spdlog::warn("{}", why);
    }
    if (wasWelcomed) {
      event_log::emit(event_log::Kind::Disconnected);
      if (events.onDisconnected) events.onDisconnected();
    }
    auto delay = backoff.next();
    spdlog::info("reconnecting in {} ms", delay.count());
    event_log::emit(
        event_log::Kind::Reconnecting,
        {{"inMs", static_cast<std::int64_t>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(delay).count())}});
    retryTimer.expires_after(delay);
    retryTimer.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->connect();
    });
  }

  void stop(std::function<void()> closed) {
    if (stopped) {
      if (closed) asio::post(io, std::move(closed));
      return;
    }
    stopped = true;
    retryTimer.cancel();
    paceTimer.cancel();
    resolver.cancel();
    bool wasWelcomed = welcomed;
    if (open) {
      withSocket([&](auto& ws) {
        ws.async_close(websocket::close_code::going_away,
                       [self = shared_from_this(), closed](beast::error_code) {
                         self->socket = std::monostate{};
                         if (closed) closed();
                       });
      });
    } else {
      ++attempt;
      socket = std::monostate{};
      if (closed) asio::post(io, std::move(closed));
    }
    open = welcomed = false;
    if (wasWelcomed && events.onDisconnected) events.onDisconnected();
  }
};

SignalingClient::SignalingClient(asio::io_context& io, std::string serverUrl, std::string cameraId,
                                 std::vector<std::uint8_t> deviceKey, std::string caFile,
                                 Events events)
    : impl_(std::make_shared<Impl>(io, std::move(serverUrl), std::move(cameraId),
                                   std::move(deviceKey), caFile, std::move(events))) {}

SignalingClient::~SignalingClient() { impl_->stop({}); }

void SignalingClient::start() { impl_->connect(); }
void SignalingClient::stop(std::function<void()> closed) { impl_->stop(std::move(closed)); }
void SignalingClient::send(std::string text) { impl_->enqueue(std::move(text), {}); }
void SignalingClient::sendForSession(const std::string& session, std::string text) {
  impl_->enqueue(std::move(text), session);
}
void SignalingClient::forgetSession(const std::string& session) { impl_->forgetSession(session); }
bool SignalingClient::authenticated() const { return impl_->welcomed; }

}  // namespace seccam::camera
