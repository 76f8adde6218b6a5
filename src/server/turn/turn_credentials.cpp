#include "server/turn/turn_credentials.hpp"

#include "common/crypto.hpp"

namespace seccam::server::turn {

TurnCredentials mintTurnCredentials(const std::string& secret, const std::string& subject,
                                    std::chrono::system_clock::time_point expiry) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch());
  TurnCredentials out;
  out.username = std::to_string(seconds.count()) + ":" + subject;
  out.credential = crypto::base64Encode(crypto::hmacSha1(crypto::asBytes(secret), out.username));
  return out;
}

std::vector<protocol::IceServer> iceServersFor(const TurnSettings& settings,
                                               const std::string& subject,
                                               std::chrono::system_clock::time_point now) {
  if (settings.urls.empty()) return {};
  protocol::IceServer server;
  server.urls = settings.urls;
  if (!settings.secret.empty()) {
    auto credentials = mintTurnCredentials(settings.secret, subject, now + settings.ttl);
    server.username = std::move(credentials.username);
    server.credential = std::move(credentials.credential);
  }
  return {server};
}

}  // namespace seccam::server::turn
