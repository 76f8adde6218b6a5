// RTCIceServer entries into webrtcbin URIs, credentials percent-escaped.
#include "camera/peer/ice_server_uris.hpp"

#include <gtest/gtest.h>

using namespace seccam::camera;

TEST(IceServerUris, EscapesTurnRestCredentials) {
  seccam::protocol::IceServer turn{
      {"turn:10.0.0.1:3478?transport=udp", "turns:10.0.0.1:5349"}, "1795599650:cam", "pa+ss="};
  auto uris = toWebrtcbinUris({turn});
  ASSERT_EQ(uris.turn.size(), 2u);
  EXPECT_EQ(uris.turn[0], "turn://1795599650%3Acam:pa%2Bss%3D@10.0.0.1:3478?transport=udp");
  EXPECT_EQ(uris.turn[1], "turns://1795599650%3Acam:pa%2Bss%3D@10.0.0.1:5349");
  EXPECT_TRUE(uris.stun.empty());
}

// What the server hands out for one coturn (`[turn] host`): webrtcbin reads `?transport=` for
// turn: (TCP only, not both) and takes turns: as TURN over TLS (libnice 0.1.21 speaks plain
// TCP to that port: docs/WEBRTC-NOTES.md), so the query is kept as it is.
TEST(IceServerUris, KeepTheTransportOfTcpAndTlsUrls) {
  seccam::protocol::IceServer turn{{"turn:turn.example.org:3478?transport=tcp",
                                    "turns:turn.example.org:5349?transport=tcp",
                                    "turn:[2001:db8::1]:3478?transport=tcp"},
                                   "u",
                                   "p"};
  auto uris = toWebrtcbinUris({turn});
  ASSERT_EQ(uris.turn.size(), 3u);
  EXPECT_EQ(uris.turn[0], "turn://u:p@turn.example.org:3478?transport=tcp");
  EXPECT_EQ(uris.turn[1], "turns://u:p@turn.example.org:5349?transport=tcp");
  EXPECT_EQ(uris.turn[2], "turn://u:p@[2001:db8::1]:3478?transport=tcp");
}

TEST(IceServerUris, StunNeedsNoCredentials) {
  auto uris = toWebrtcbinUris({{{"stun:stun.example.org:3478"}, "", ""}});
  ASSERT_EQ(uris.stun.size(), 1u);
  EXPECT_EQ(uris.stun[0], "stun://stun.example.org:3478");
}

TEST(IceServerUris, TurnWithoutCredentialsIsSkipped) {
  EXPECT_TRUE(toWebrtcbinUris({{{"turn:10.0.0.1:3478"}, "", ""}}).turn.empty());
}

TEST(IceServerUris, PercentEscapeKeepsUnreservedOnly) {
  EXPECT_EQ(percentEscape("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(percentEscape("a/b@c:d"), "a%2Fb%40c%3Ad");
}
