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

std::vector<std::string> coturnUrls(const std::string& host, unsigned short port,
                                    unsigned short tlsPort) {
  std::string name = host.find(':') != std::string::npos && host.front() != '['
                         ? "[" + host + "]"
                         : host;
  std::string plain = name + ":" + std::to_string(port);
  std::vector<std::string> urls{"turn:" + plain + "?transport=udp",
                                "turn:" + plain + "?transport=tcp"};
  if (tlsPort != 0) urls.push_back("turns:" + name + ":" + std::to_string(tlsPort) + "?transport=tcp");
  return urls;
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
