#include "server/http/host_policy.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::http;

TEST(HostPolicy, IpLiteralsAndLocalhostAreAlwaysAnswered) {
  HostPolicy policy({});
  EXPECT_TRUE(policy.allows("127.0.0.1:8080"));
  EXPECT_TRUE(policy.allows("10.77.0.2:8080"));
  EXPECT_TRUE(policy.allows("[::1]:8080"));
  EXPECT_TRUE(policy.allows("[fe80::1]"));
  EXPECT_TRUE(policy.allows("localhost:8080"));
  EXPECT_TRUE(policy.allows("LocalHost."));
  EXPECT_TRUE(policy.allows(""));  // HTTP/1.0 without Host: no browser
}

TEST(HostPolicy, OtherNamesAreRefused) {
  HostPolicy policy({});
  EXPECT_FALSE(policy.allows("attacker.example:8080"));
  EXPECT_FALSE(policy.allows("attacker.example"));
  EXPECT_FALSE(policy.allows("localhost.attacker.example"));
  EXPECT_FALSE(policy.allows("127.0.0.1.nip.io:8080"));
  EXPECT_FALSE(policy.allows("[::1"));         // malformed
  EXPECT_FALSE(policy.allows("a:b:c"));        // v6 without brackets
  EXPECT_FALSE(policy.allows("[::1]junk"));
}

TEST(HostPolicy, ConfiguredNamesAreAnsweredIgnoringCasePortAndTrailingDot) {
  HostPolicy policy({"Cams.Example.org", "nas.lan."});
  EXPECT_TRUE(policy.allows("cams.example.org"));
  EXPECT_TRUE(policy.allows("CAMS.example.ORG:8443"));
  EXPECT_TRUE(policy.allows("cams.example.org."));
  EXPECT_TRUE(policy.allows("nas.lan:8080"));
  EXPECT_FALSE(policy.allows("evil.cams.example.org"));
  EXPECT_FALSE(policy.allows("example.org"));
}

TEST(HostPolicy, HostOfUrl) {
  EXPECT_EQ(hostOfUrl("https://cams.example.org"), "cams.example.org");
  EXPECT_EQ(hostOfUrl("https://Cams.Example.org:8443/base"), "cams.example.org");
  EXPECT_EQ(hostOfUrl("http://[::1]:8080"), "::1");
  EXPECT_EQ(hostOfUrl("no-scheme"), "");
}
