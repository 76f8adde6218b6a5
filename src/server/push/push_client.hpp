// One Web Push request (RFC 8030 §5) to a push service over HTTPS (Beast + OpenSSL, the
// service's certificate checked against the system's CAs and its host name), or plain HTTP
// for a local test endpoint. Blocking: runs on the push workers, never on an IO thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/push/push_settings.hpp"

namespace seccam::server::push {

inline constexpr std::chrono::seconds kPushRequestTimeout{10};

struct PushRequest {
  PushEndpoint endpoint;
  std::string authorization;  // "vapid t=..., k=..."
  std::vector<std::uint8_t> body;  // aes128gcm
  std::chrono::seconds ttl{0};
  std::string urgency = "normal";  // RFC 8030 §5.3: very-low, low, normal, high
};

struct PushResult {
  int status = 0;     // the push service's HTTP status; 0 when no answer came
  std::string error;  // why there was no answer
};

// Sends the request and waits at most kPushRequestTimeout for the answer.
PushResult sendPushRequest(const PushRequest& request);

}  // namespace seccam::server::push
