// Test support: small synchronous HTTP and WebSocket clients (Boost.Beast underneath) with
// timeouts, so that integration tests talk to a real seccam-server over real sockets.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seccam::test {

struct HttpResponse {
  int status = 0;                                   // 0: no response (connection failed)
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const;  // first value or ""
  std::vector<std::string> headerValues(const std::string& name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request on a fresh connection.
HttpResponse httpRequest(const std::string& host, unsigned short port, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         const Headers& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// "name=value" of a Set-Cookie header value (the part before the first ';'), or "".
std::string cookiePair(const std::string& setCookie);

class WsClient {
 public:
  WsClient();
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Opens a WebSocket. Returns true when the upgrade succeeded; otherwise
  // refusedStatus() holds the HTTP status the server answered (0 if none).
  bool connect(const std::string& host, unsigned short port, const std::string& target,
               const Headers& headers = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int refusedStatus() const;

  bool send(const std::string& text);
  // The next text message, or nullopt on timeout or close (see closed()/closeCode()).
  std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool closed() const;
  int closeCode() const;  // the close code the server sent, 0 if none yet
  void close(int code = 1000);
  // The underlying socket was closed without waiting for anything (abrupt loss).
  void drop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seccam::test
