// Whose address a request is: X-Forwarded-For only from the proxies the operator trusts.
#include "server/http/client_address.hpp"

#include <gtest/gtest.h>

#include "server/net/ip_address.hpp"

using seccam::server::canonicalAddress;
using seccam::server::isLoopbackAddress;
using seccam::server::http::clientAddressFor;

namespace {
const std::vector<std::string> kProxies{"127.0.0.1", "::1", "10.0.0.5"};
}

TEST(ClientAddress, AnUntrustedPeerIsItselfWhateverItClaims) {
  EXPECT_EQ(clientAddressFor("203.0.113.9", "198.51.100.1", kProxies), "203.0.113.9");
  EXPECT_EQ(clientAddressFor("203.0.113.9", "198.51.100.1", {}), "203.0.113.9");
  // Trusting nobody (the default): even loopback's header is ignored.
  EXPECT_EQ(clientAddressFor("127.0.0.1", "198.51.100.1", {}), "127.0.0.1");
}

TEST(ClientAddress, ATrustedProxyIsBelievedFromTheRight) {
  EXPECT_EQ(clientAddressFor("127.0.0.1", "198.51.100.1", kProxies), "198.51.100.1");
  // The client may have sent a header of its own: only what our proxies appended counts.
  EXPECT_EQ(clientAddressFor("127.0.0.1", "6.6.6.6, 198.51.100.1", kProxies), "198.51.100.1");
  // A chain of trusted proxies is walked through.
  EXPECT_EQ(clientAddressFor("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.5", kProxies),
            "198.51.100.1");
  EXPECT_EQ(clientAddressFor("::1", " 2001:db8::7 ", kProxies), "2001:db8::7");
}

TEST(ClientAddress, NoUsableHeaderMeansThePeer) {
  EXPECT_EQ(clientAddressFor("127.0.0.1", "", kProxies), "127.0.0.1");
  EXPECT_EQ(clientAddressFor("127.0.0.1", "10.0.0.5", kProxies), "127.0.0.1");  // all trusted
  // Garbage ends the walk: nothing to its left can be believed.
  EXPECT_EQ(clientAddressFor("127.0.0.1", "198.51.100.1, not-an-address", kProxies), "127.0.0.1");
  EXPECT_EQ(clientAddressFor("127.0.0.1", "198.51.100.1:4711", kProxies), "127.0.0.1");
}

TEST(ClientAddress, AddressesAreComparedInCanonicalForm) {
  EXPECT_EQ(canonicalAddress("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(canonicalAddress(" 10.0.0.5"), "10.0.0.5");
  EXPECT_FALSE(canonicalAddress("cams.example.org"));
  EXPECT_EQ(clientAddressFor("0:0:0:0:0:0:0:1", "198.51.100.1", kProxies), "198.51.100.1");
}

TEST(IpAddress, LoopbackIsTheWholeLoopbackRangeInEitherFamily) {
  EXPECT_TRUE(isLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(isLoopbackAddress("127.8.9.10"));
  EXPECT_TRUE(isLoopbackAddress("::1"));
  EXPECT_TRUE(isLoopbackAddress("::ffff:127.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("::ffff:10.0.0.1"));
  EXPECT_FALSE(isLoopbackAddress("203.0.113.7"));
  EXPECT_FALSE(isLoopbackAddress("localhost"));
  EXPECT_FALSE(isLoopbackAddress(""));
}
