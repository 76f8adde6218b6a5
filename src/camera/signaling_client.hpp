// The camera's connection to seccam-server's camera WebSocket (ws:// or wss://, Boost.Beast):
// answers the HMAC challenge, reports `welcome`, hands every later message over as a typed
// struct, keeps one write in flight, paced below the server's message rate limit, and reconnects by
// itself after any loss with capped exponential backoff and jitter. Everything runs on the
// io_context given (one thread).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/protocol.hpp"

namespace boost::asio {
class io_context;
}

namespace seccam::camera {

class SignalingClient {
 public:
  struct Events {
    std::function<void(const protocol::Welcome&)> onWelcome;
    std::function<void(protocol::ServerToCamera message)>
        onMessage;                         // offer, candidate, bye, error
    std::function<void()> onDisconnected;  // after a welcome only
  };

  // `caFile`: extra CA certificates (PEM) for wss://, besides the system's; may be empty.
  SignalingClient(boost::asio::io_context& io, std::string serverUrl, std::string cameraId,
                  std::vector<std::uint8_t> deviceKey, std::string caFile, Events events);
  ~SignalingClient();
  SignalingClient(const SignalingClient&) = delete;
  SignalingClient& operator=(const SignalingClient&) = delete;

  void start();
  // Closes the connection and stops reconnecting; `closed` runs once the close is done.
  void stop(std::function<void()> closed = {});
  // Queues a message (dropped when not connected: sessions end with the connection anyway).
  // Messages go out paced below the server's per-connection rate limit.
  void send(std::string text);
  // The same, for a message that is moot once the session ends (an answer, a candidate):
  // forgetSession() drops it if it has not gone out yet. A bye is sent with send().
  void sendForSession(const std::string& session, std::string text);
  void forgetSession(const std::string& session);
  bool authenticated() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seccam::camera
