// ICE server URIs for webrtcbin: see ice_server_uris.hpp.
#include "camera/peer/ice_server_uris.hpp"

#include <cctype>

namespace seccam::camera {

std::string percentEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

WebrtcbinIceUris toWebrtcbinUris(const std::vector<protocol::IceServer>& servers) {
  WebrtcbinIceUris out;
  for (const auto& server : servers) {
    for (const auto& url : server.urls) {
      auto colon = url.find(':');
      if (colon == std::string::npos) continue;
      std::string scheme = url.substr(0, colon);
      std::string rest = url.substr(colon + 1);
      if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
      if (scheme == "stun" || scheme == "stuns") {
        out.stun.push_back(scheme + "://" + rest);
      } else if ((scheme == "turn" || scheme == "turns") && !server.username.empty()) {
        out.turn.push_back(scheme + "://" + percentEscape(server.username) + ":" +
                           percentEscape(server.credential) + "@" + rest);
      }
    }
  }
  return out;
}

}  // namespace seccam::camera
