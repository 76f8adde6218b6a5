#include "server/http/origin_policy.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::http;

TEST(OriginPolicy, OwnOriginIsSchemeAndHostWithoutPublicUrl) {
  EXPECT_TRUE(isOwnOrigin("http://127.0.0.1:8080", "", false, "127.0.0.1:8080"));
  EXPECT_FALSE(isOwnOrigin("https://127.0.0.1:8080", "", false, "127.0.0.1:8080"));
  EXPECT_TRUE(isOwnOrigin("https://127.0.0.1:8443", "", true, "127.0.0.1:8443"));
  EXPECT_FALSE(isOwnOrigin("http://evil.example", "", false, "127.0.0.1:8080"));
}

TEST(OriginPolicy, PublicUrlWinsOverTheHostHeader) {
  EXPECT_TRUE(isOwnOrigin("https://cams.example.org", "https://cams.example.org/", false,
                          "127.0.0.1:8080"));
  EXPECT_FALSE(isOwnOrigin("http://127.0.0.1:8080", "https://cams.example.org", false,
                           "127.0.0.1:8080"));
}

TEST(OriginPolicy, DefaultPortsAndCaseDoNotMatter) {
  EXPECT_TRUE(isOwnOrigin("HTTPS://Cams.Example.org", "https://cams.example.org:443", false, ""));
  EXPECT_TRUE(isOwnOrigin("http://host", "", false, "host:80"));
}

TEST(OriginPolicy, MissingOriginIsNeverOwn) {
  EXPECT_FALSE(isOwnOrigin("", "", false, "127.0.0.1:8080"));
  EXPECT_FALSE(isOwnOrigin("null", "", false, "127.0.0.1:8080"));
}
