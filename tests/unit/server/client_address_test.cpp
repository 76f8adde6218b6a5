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

// Found by fuzz_identity (fuzz/corpus/fuzz_identity/regression-scope-id): an IPv6 zone
// ("%5") stayed in the canonical form, so one address had as many forms (per-address limit
// keys) as there are zone numbers, and a large zone number did not even read back the same.
TEST(ClientAddress, AnIpv6ZoneIsNotPartOfTheAddress) {
  EXPECT_EQ(canonicalAddress("2001:db8::7%5"), "2001:db8::7");
  EXPECT_EQ(canonicalAddress("::1%18446744073111193372"), "::1");
  EXPECT_EQ(canonicalAddress("fe80::1%1"), "fe80::1");
  EXPECT_EQ(clientAddressFor("127.0.0.1", "2001:db8::7%5", kProxies), "2001:db8::7");
  EXPECT_EQ(clientAddressFor("127.0.0.1", "2001:db8::7%6", kProxies), "2001:db8::7");
  // A link-local proxy is trusted whichever interface the peer's address names.
  EXPECT_EQ(clientAddressFor("fe80::1%1", "198.51.100.1", {"fe80::1"}), "198.51.100.1");
  for (const char* text : {"::1%4294967295", "fe80::1%2", "2001:db8::7%18446744073709551615"}) {
    auto once = canonicalAddress(text);
    ASSERT_TRUE(once) << text;
    EXPECT_EQ(canonicalAddress(*once), once) << text;
  }
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
