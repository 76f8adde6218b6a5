// RTCIceServer entries (from `welcome` or an offer) into the URIs webrtcbin takes:
// stun://host:port for `stun-server`, turn(s)://user:pass@host:port for `add-turn-server`,
// with user and password percent-escaped (TURN REST usernames contain ':').
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/protocol.hpp"

namespace seccam::camera {

struct WebrtcbinIceUris {
  std::vector<std::string> stun;
  std::vector<std::string> turn;
};

WebrtcbinIceUris toWebrtcbinUris(const std::vector<protocol::IceServer>& servers);

// Escapes everything but RFC 3986 unreserved characters.
std::string percentEscape(std::string_view text);

}  // namespace seccam::camera
