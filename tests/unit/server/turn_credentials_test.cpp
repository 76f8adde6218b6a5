#include "server/turn/turn_credentials.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::turn;
using std::chrono::seconds;
using std::chrono::system_clock;

TEST(TurnCredentials, MatchTheFixedVector) {
  auto credentials = mintTurnCredentials("s3cret", "alice", system_clock::time_point(seconds(1795599650)));
  EXPECT_EQ(credentials.username, "1795599650:alice");
  EXPECT_EQ(credentials.credential, "i/M/2WLmoHrRaSTmzOBdD3+RzQk=");
}

TEST(TurnCredentials, IceServersCarryEveryUrlAndExpireAfterTheTtl) {
  TurnSettings settings{"s3cret", {"turn:127.0.0.1:3478?transport=udp", "turns:example.org:5349"},
                        seconds(600)};
  auto now = system_clock::time_point(seconds(1795599050));
  auto servers = iceServersFor(settings, "sc-CAM", now);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].urls, settings.urls);
  EXPECT_EQ(servers[0].username, "1795599650:sc-CAM");
  EXPECT_EQ(servers[0].credential,
            mintTurnCredentials("s3cret", "sc-CAM", now + seconds(600)).credential);
}

TEST(TurnCredentials, NoUrlsMeansNoIceServers) {
  EXPECT_TRUE(iceServersFor(TurnSettings{"s3cret", {}, seconds(600)}, "alice").empty());
}

TEST(TurnCredentials, NoSecretMeansUrlsWithoutCredentials) {
  auto servers = iceServersFor(TurnSettings{"", {"stun:127.0.0.1:3478"}, seconds(600)}, "alice");
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_TRUE(servers[0].username.empty());
  EXPECT_TRUE(servers[0].credential.empty());
}

TEST(TurnCredentials, OneCoturnGivesUdpTcpAndTlsUrls) {
  EXPECT_EQ(coturnUrls("turn.example.org", 3478, 5349),
            (std::vector<std::string>{"turn:turn.example.org:3478?transport=udp",
                                      "turn:turn.example.org:3478?transport=tcp",
                                      "turns:turn.example.org:5349?transport=tcp"}));
  EXPECT_EQ(coturnUrls("2001:db8::1", 80, 443),
            (std::vector<std::string>{"turn:[2001:db8::1]:80?transport=udp",
                                      "turn:[2001:db8::1]:80?transport=tcp",
                                      "turns:[2001:db8::1]:443?transport=tcp"}));
  EXPECT_EQ(coturnUrls("[2001:db8::1]", 3478, 0),
            (std::vector<std::string>{"turn:[2001:db8::1]:3478?transport=udp",
                                      "turn:[2001:db8::1]:3478?transport=tcp"}));
}
