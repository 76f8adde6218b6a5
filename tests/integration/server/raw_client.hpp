// Shared by the server integration tests: a bare TCP client from a chosen loopback source
// address (127.0.0.0/8 is all loopback), for what the HTTP clients cannot do: keep sockets
// idle, send requests back to back, see the server close a connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

namespace seccam::test {

// One TCP connection from a chosen loopback source address.
class RawClient {
 public:
  RawClient(const std::string& source, unsigned short port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                 ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // Sends a GET and reads until the server closes or `timeoutMs` passes; returns the
  // status (0: no answer) and keeps the text.
  int get(const std::string& path, int timeoutMs = 5000) {
    return sendRequest("GET " + path +
                           " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                       timeoutMs);
  }

  // Sends `request` (whole HTTP text) and reads the answer as get() does.
  int sendRequest(const std::string& request, int timeoutMs = 5000) {
    if (!write(request)) return 0;
    return readResponse(timeoutMs);
  }
  bool write(const std::string& request) {
    return ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(request.size());
  }
  // Reads until the server closes or `timeoutMs` passes; the status, 0 for none.
  int readResponse(int timeoutMs = 5000) {
    text_.clear();
    while (readSome(timeoutMs) > 0) {
    }
    if (text_.rfind("HTTP/1.1 ", 0) != 0 || text_.size() < 12) return 0;
    return std::stoi(text_.substr(9, 3));
  }
  const std::string& text() const { return text_; }

  // True when the server closed the connection (end of stream) within `timeoutMs`.
  bool closedByServer(int timeoutMs) {
    for (;;) {
      auto n = readSome(timeoutMs);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

 private:
  // >0 bytes read, 0 end of stream, -1 timeout or error.
  ssize_t readSome(int timeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return -1;
    char buffer[4096];
    auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) text_.append(buffer, static_cast<std::size_t>(n));
    return n < 0 ? -1 : n;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string text_;
};

// `error.code` of a raw response text, "" if none.
inline std::string errorCode(const std::string& response) {
  auto body = response.substr(std::min(response.size(), response.find("\r\n\r\n") + 4));
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return "";
  return parsed["error"]["code"];
}

// A header of a raw response text (exact name), "" if absent.
inline std::string header(const std::string& response, const std::string& name) {
  auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  auto start = at + name.size() + 4;
  return response.substr(start, response.find("\r\n", start) - start);
}

}  // namespace seccam::test
