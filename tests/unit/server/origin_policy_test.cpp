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

namespace {
CrossSiteCheck check(std::string_view method, std::optional<std::string> origin,
                     std::optional<std::string> contentType, bool hasBody = true) {
  return checkCrossSite({method, origin, contentType, hasBody, "127.0.0.1:8080"}, "", false);
}
}  // namespace

TEST(CrossSiteGuard, ReadingIsNeverRefused) {
  EXPECT_EQ(check("GET", "http://evil.example", "text/plain"), CrossSiteCheck::allowed);
}

TEST(CrossSiteGuard, AForeignOriginIsRefusedAndNoOriginIsAScript) {
  EXPECT_EQ(check("POST", "http://evil.example", "application/json"),
            CrossSiteCheck::foreignOrigin);
  EXPECT_EQ(check("POST", std::nullopt, "application/json"), CrossSiteCheck::allowed);
  EXPECT_EQ(check("DELETE", "http://127.0.0.1:8080", "application/json"), CrossSiteCheck::allowed);
}

TEST(CrossSiteGuard, OnlyJsonMayBeSentAndAnEmptyBodyMayOmitTheType) {
  EXPECT_EQ(check("POST", std::nullopt, "text/plain"), CrossSiteCheck::notJson);
  EXPECT_EQ(check("POST", std::nullopt, "Application/JSON ; charset=utf-8"),
            CrossSiteCheck::allowed);
  EXPECT_EQ(check("POST", std::nullopt, std::nullopt, /*hasBody=*/true), CrossSiteCheck::notJson);
  EXPECT_EQ(check("POST", std::nullopt, std::nullopt, /*hasBody=*/false), CrossSiteCheck::allowed);
}
