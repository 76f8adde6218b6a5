#include "server/http/http_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/crypto.hpp"
#include "common/ordinary_disconnect.hpp"
#include "server/http/client_address.hpp"
#include "server/http/http_context.hpp"
#include "server/http/origin_policy.hpp"
#include "server/http/request_fields.hpp"
#include "server/http/static_files.hpp"
#include "server/net/ip_address.hpp"
#include "server/signaling/hub.hpp"
#include "server/worker_pool.hpp"

namespace seccam::server::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using Response = bhttp::response<bhttp::string_body>;

Response jsonResponse(unsigned status, std::string body) {
  Response response{static_cast<bhttp::status>(status), 11};
  response.set(bhttp::field::content_type, "application/json");
  response.set(bhttp::field::cache_control, "no-store");
  response.body() = std::move(body);
  return response;
}

Response fromApi(api::ApiResponse api) {
  Response response{static_cast<bhttp::status>(api.status), 11};
  if (!api.body.empty()) response.set(bhttp::field::content_type, api.contentType);
  response.set(bhttp::field::cache_control, "no-store");
  for (auto& [name, value] : api.headers) response.insert(name, value);
  response.body() = std::move(api.body);
  return response;
}

Response apiError(unsigned status, protocol::ErrorCode code, const std::string& message) {
  return fromApi(api::errorResponse(static_cast<int>(status), code, message));
}

// The pages load only their own scripts, styles and images, talk only to their own origin
// (the API and the WebSocket), and are never framed: an injected script has nowhere to load
// from and nowhere to send to.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'";
// A year: browsers that saw the site over HTTPS never try plain HTTP for it again.
constexpr const char* kStrictTransportSecurity = "max-age=31536000";

void addSecurityHeaders(Response& response, bool https) {
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  if (https) response.set("Strict-Transport-Security", kStrictTransportSecurity);
}

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  template <class... StreamArgs>
  HttpSession(std::shared_ptr<const HttpContext> context, std::string clientAddress,
              ConnectionLimiter::Ticket ticket, StreamArgs&&... args)
      : stream_(std::forward<StreamArgs>(args)...),
        context_(std::move(context)),
        clientAddress_(std::move(clientAddress)),
        admission_(ticket.admission),
        slot_(std::move(ticket.slot)) {}

  auto executor() { return stream_.get_executor(); }

  void run() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kTlsHandshakeTimeout);
      stream_.async_handshake(
          net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) {
              spdlog::debug("TLS handshake with {} failed: {}", self->clientAddress_, ec.message());
              return;
            }
            self->readRequest();
          });
    } else {
      readRequest();
    }
  }

 private:
  void readRequest() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    beast::get_lowest_layer(stream_).expires_after(overCap() ? kOverCapReadTimeout : kReadTimeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      spdlog::info("refused a request from {}: body over {} bytes", clientAddress_, kMaxBodyBytes);
      started_ = std::chrono::steady_clock::now();
      return send(
          apiError(413, protocol::ErrorCode::TooLarge, "The request body is larger than 16 KiB."),
          false);
    }
    if (ec == bhttp::error::header_limit) {
      spdlog::info("refused a request from {}: headers too large", clientAddress_);
      started_ = std::chrono::steady_clock::now();
      return send(
          apiError(400, protocol::ErrorCode::InvalidInput, "The request headers are too large."),
          false);
    }
    if (ec) {
      if (!isOrdinaryDisconnect(ec)) {
        spdlog::debug("reading from {} failed: {}", clientAddress_, ec.message());
      }
      return close();
    }
    started_ = std::chrono::steady_clock::now();
    route(parser_->release());
  }

  void route(HttpRequest request) {
    auto path = pathOf(request.target());
    keepAlive_ = request.keep_alive();
    headOnly_ = request.method() == bhttp::verb::head;

    if (path == "/healthz") {
      // A balancer stops sending to a node that answers anything but 200.
      if (context_->unhealthy) {
        if (auto problem = context_->unhealthy(); !problem.empty()) {
          return send(jsonResponse(503, R"({"status":"unavailable","problem":")" + problem + R"("})"),
                      keepAlive_);
        }
      }
      return send(jsonResponse(200, R"({"status":"ok"})"), keepAlive_);
    }
    if (overCap()) return refuseOverCap();
    // Before anything else reads the Host (the own origin without public-url): a rebound
    // name never reaches the API, the pages or the WebSockets.
    if (!context_->hosts.allows(headerText(request, bhttp::field::host))) {
      spdlog::warn("refused a request from {}: Host is not one of this server's names",
                   clientAddress_);
      return send(apiError(421, protocol::ErrorCode::UnknownHost,
                           "This server does not answer to this host name; the operator can add "
                           "it to allowed-hosts."),
                  false);
    }
    if (beast::websocket::is_upgrade(request)) {
      if (path == "/ws") return upgradeViewer(std::move(request));
      if (path == "/ws/camera") {
        beast::get_lowest_layer(stream_).expires_never();
        context_->hub->acceptCamera(std::move(stream_), std::move(request), std::move(slot_));
        return;
      }
      return send(apiError(404, protocol::ErrorCode::NotFound, "Not found."), false);
    }
    if (path == "/metrics") {
      if (!metricsAllowed(request)) {
        return send(apiError(403, protocol::ErrorCode::Forbidden,
                             "Metrics are served to loopback clients, or with the metrics token."),
                    keepAlive_);
      }
      Response response{bhttp::status::ok, 11};
      response.set(bhttp::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = context_->metrics->render(
          context_->hubStats(), context_->connections ? context_->connections->open() : 0);
      return send(std::move(response), keepAlive_);
    }
    if (api::Api::handles(path) || path == "/api") return callApi(std::move(request), path);
    serveStatic(request, path);
  }

  bool overCap() const { return admission_ != ConnectionLimiter::Admission::admitted; }

  // A connection in the reserve (past a cap) gets one answer and is closed.
  void refuseOverCap() {
    bool addressFull = admission_ == ConnectionLimiter::Admission::overAddressCap;
    spdlog::debug("refused a request from {}: {}", clientAddress_,
                  addressFull ? "too many connections from this address" : "server full");
    auto response =
        addressFull ? apiError(503, protocol::ErrorCode::TooManyConnections,
                               "Too many open connections from your address. Close some and "
                               "try again.")
                    : apiError(503, protocol::ErrorCode::Overloaded,
                               "The server is at its connection limit. Try again shortly.");
    response.set(bhttp::field::retry_after, std::to_string(kOverCapRetryAfter.count()));
    send(std::move(response), false);
  }

  // With a metrics token: whoever presents it. Without: loopback clients only, as
  // trusted-proxies resolve the client (a reverse proxy on loopback forwards the world).
  bool metricsAllowed(const HttpRequest& request) const {
    if (context_->metricsToken.empty()) {
      return isLoopbackAddress(
          clientAddressFor(clientAddress_, forwardedFor(request), context_->trustedProxies));
    }
    auto authorization = optionalHeader(request, bhttp::field::authorization);
    return authorization &&
           crypto::constantTimeEqual(*authorization, "Bearer " + context_->metricsToken);
  }

  void callApi(HttpRequest request, std::string path) {
    auto method = std::string(request.method_string());
    auto origin = optionalHeader(request, bhttp::field::origin);
    auto contentType = optionalHeader(request, bhttp::field::content_type);
    auto host = headerText(request, bhttp::field::host);
    auto clientAddress =
        clientAddressFor(clientAddress_, forwardedFor(request), context_->trustedProxies);
    switch (checkCrossSite({method, origin, contentType, !request.body().empty(), host},
                           context_->publicUrl, context_->tls)) {
      case CrossSiteCheck::allowed:
        break;
      case CrossSiteCheck::foreignOrigin:
        spdlog::warn("refused {} {} from {}: foreign origin", method, path, clientAddress);
        return send(
            apiError(403, protocol::ErrorCode::Forbidden, "Cross-site requests are not allowed."),
            keepAlive_);
      case CrossSiteCheck::notJson:
        spdlog::warn("refused {} {} from {}: content type is not application/json", method, path,
                     clientAddress);
        return send(apiError(403, protocol::ErrorCode::Forbidden,
                             "Requests must have Content-Type: application/json."),
                    keepAlive_);
    }

    api::ApiRequest apiRequest;
    apiRequest.method = std::move(method);
    apiRequest.path = std::move(path);
    if (auto q = request.target().find('?'); q != std::string_view::npos)
      apiRequest.query = std::string(request.target().substr(q + 1));
    apiRequest.body = std::move(request.body());
    apiRequest.cookieHeader = headerText(request, bhttp::field::cookie);
    apiRequest.userAgent = headerText(request, bhttp::field::user_agent);
    apiRequest.clientAddress = std::move(clientAddress);
    apiRequest.tls = context_->tls;
    // Argon2id and SQLite block: run on a worker pool, answer back on this connection's
    // strand. Requests that hash a password go to the hashing pool, whose queue is bounded.
    bool hashes = api::Api::hashesPassword(apiRequest.method, apiRequest.path);
    auto job = [self = this->shared_from_this(), apiRequest = std::move(apiRequest)] {
      auto response = fromApi(self->context_->api->handle(apiRequest));
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->send(std::move(response), self->keepAlive_);
      });
    };
    if (!hashes) return context_->workers->post(std::move(job));
    if (!context_->hashWorkers->tryPost(std::move(job))) {
      spdlog::warn("refused {} from {}: the password-hashing queue is full", path, clientAddress);
      context_->metrics->recordHashQueueFull();
      auto response = apiError(503, protocol::ErrorCode::Overloaded,
                               "The server is busy signing people in. Try again in a moment.");
      response.set(bhttp::field::retry_after, std::to_string(kHashQueueFullRetryAfter.count()));
      send(std::move(response), keepAlive_);
    }
  }

  void upgradeViewer(HttpRequest request) {
    auto pending = std::make_shared<HttpRequest>(std::move(request));
    context_->workers->post([self = this->shared_from_this(), pending] {
      auto user = self->context_->api->authenticate(headerText(*pending, bhttp::field::cookie));
      std::optional<ViewerIdentity> viewer;
      if (user) {
        viewer.emplace();
        viewer->userId = user->id;
        viewer->username = user->username;
        viewer->sessionHash = api::Api::sessionHashOf(headerText(*pending, bhttp::field::cookie));
        // Before the list is read: an unclaim that lands in between is applied on joining.
        viewer->ownershipVersion = self->context_->hub->ownershipVersion();
        viewer->cameras = self->context_->api->camerasOf(user->id);
      }
      net::post(self->stream_.get_executor(),
                [self, pending, viewer = std::move(viewer)]() mutable {
                  self->finishViewerUpgrade(std::move(*pending), std::move(viewer));
                });
    });
  }

  void finishViewerUpgrade(HttpRequest request, std::optional<ViewerIdentity> viewer) {
    if (!viewer) {
      spdlog::info("refused viewer WebSocket from {}: not signed in", clientAddress_);
      return send(apiError(401, protocol::ErrorCode::Unauthorized, "Sign in first."), false);
    }
    auto origin = headerText(request, bhttp::field::origin);
    if (!isOwnOrigin(origin, context_->publicUrl, context_->tls,
                     headerText(request, bhttp::field::host))) {
      spdlog::warn("refused viewer WebSocket from {}: foreign origin", clientAddress_);
      return send(apiError(403, protocol::ErrorCode::Forbidden,
                           "Cross-site WebSocket connections are not allowed."),
                  false);
    }
    context_->metrics->observeRequest(std::chrono::steady_clock::now() - started_);
    beast::get_lowest_layer(stream_).expires_never();
    context_->hub->acceptViewer(std::move(stream_), std::move(request), std::move(*viewer),
                                std::move(slot_));
  }

  void serveStatic(const HttpRequest& request, const std::string& path) {
    if (request.method() != bhttp::verb::get && request.method() != bhttp::verb::head) {
      return send(apiError(404, protocol::ErrorCode::NotFound, "Not found."), keepAlive_);
    }
    auto file = resolveStaticFile(context_->webRoot, path);
    std::error_code ec;
    if (!file || std::filesystem::file_size(*file, ec) > kMaxStaticFileBytes || ec) {
      Response response{bhttp::status::not_found, 11};
      response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
      response.body() = "Not found.\n";
      return send(std::move(response), keepAlive_);
    }
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    Response response{bhttp::status::ok, 11};
    response.set(bhttp::field::content_type, mimeTypeFor(*file));
    response.set(bhttp::field::cache_control, "no-cache");
    response.body() = std::move(content).str();
    send(std::move(response), keepAlive_);
  }

  void send(Response response, bool keepAlive) {
    // Under our own TLS, or behind a proxy that serves the public https:// URL.
    addSecurityHeaders(response, context_->tls || context_->publicUrl.rfind("https://", 0) == 0);
    response.keep_alive(keepAlive);
    response.prepare_payload();
    if (headOnly_) response.body().clear();  // Content-Length stays that of the GET
    context_->metrics->observeRequest(std::chrono::steady_clock::now() - started_);
    response_ = std::make_shared<Response>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(kWriteTimeout);
    bhttp::async_write(stream_, *response_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->onWrite(ec);
                       });
  }

  void onWrite(beast::error_code ec) {
    bool again = !ec && response_->keep_alive();
    response_.reset();
    if (ec && !isOrdinaryDisconnect(ec)) {
      spdlog::debug("writing to {} failed: {}", clientAddress_, ec.message());
    }
    if (again) return readRequest();
    close();
  }

  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      beast::get_lowest_layer(stream_).expires_after(kTlsHandshakeTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      // The place is free before the client can see the end: one that connects again at
      // once (or asks /metrics) finds this connection no longer counted.
      slot_.release();
      beast::error_code ignored;
      stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  std::shared_ptr<const HttpContext> context_;
  std::string clientAddress_;
  ConnectionLimiter::Admission admission_;
  ConnectionLimiter::Slot slot_;  // handed to the hub with a WebSocket
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  std::chrono::steady_clock::time_point started_;
  bool keepAlive_ = false;
  bool headOnly_ = false;
};

std::string addressOf(const net::ip::tcp::socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("unknown") : endpoint.address().to_string();
}

// A place under the connection caps, or nullopt when the socket is to be closed unread.
std::optional<ConnectionLimiter::Ticket> admit(const HttpContext& context,
                                               const std::string& address) {
  if (!context.connections) return ConnectionLimiter::Ticket{ConnectionLimiter::Admission::admitted, {}};
  // A trusted reverse proxy carries everyone's connections: only the total applies to it.
  bool proxy = std::find(context.trustedProxies.begin(), context.trustedProxies.end(), address) !=
               context.trustedProxies.end();
  auto ticket = context.connections->admit(address, proxy);
  if (ticket.admission == ConnectionLimiter::Admission::refused) {
    spdlog::debug("closed a connection from {}: over the connection caps and their reserve",
                  address);
    context.metrics->recordConnectionRefused();
    return std::nullopt;
  }
  if (ticket.admission != ConnectionLimiter::Admission::admitted) {
    context.metrics->recordConnectionRefused();
  }
  return ticket;
}

// The listener admits connections on its own thread; everything after runs on the thread of
// the connection's shard (docs/IO-SHARDS.md).
template <class Session>
void runOnItsShard(std::shared_ptr<Session> session) {
  auto executor = session->executor();
  net::post(executor, [session = std::move(session)] { session->run(); });
}

void closeUnread(net::ip::tcp::socket& socket) {
  beast::error_code ignored;
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

void startPlainSession(net::ip::tcp::socket socket, std::shared_ptr<const HttpContext> context) {
  auto address = addressOf(socket);
  auto ticket = admit(*context, address);
  if (!ticket) return closeUnread(socket);
  auto session = std::make_shared<HttpSession<PlainStream>>(
      std::move(context), std::move(address), std::move(*ticket), std::move(socket));
  runOnItsShard(std::move(session));
}

void startTlsSession(net::ip::tcp::socket socket, net::ssl::context& tls,
                     std::shared_ptr<const HttpContext> context) {
  auto address = addressOf(socket);
  auto ticket = admit(*context, address);
  if (!ticket) return closeUnread(socket);
  auto session = std::make_shared<HttpSession<TlsStream>>(
      std::move(context), std::move(address), std::move(*ticket), std::move(socket), tls);
  runOnItsShard(std::move(session));
}

}  // namespace seccam::server::http
