#include "server/auth/session_cookie.hpp"

#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "server/auth/session_token.hpp"

using namespace seccam::server::auth;

TEST(SessionCookie, HasEveryAttributeOfThePolicy) {
  EXPECT_EQ(sessionCookie("abc", false),
            "seccam_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=86400");
}

TEST(SessionCookie, IsSecureUnderTls) {
  EXPECT_EQ(sessionCookie("abc", true),
            "seccam_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=86400; Secure");
}

TEST(SessionCookie, ExpiredCookieClearsIt) {
  EXPECT_EQ(expiredSessionCookie(false),
            "seccam_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

TEST(SessionCookie, FindsTheTokenAmongOtherCookies) {
  EXPECT_EQ(findSessionToken("seccam_session=abc"), "abc");
  EXPECT_EQ(findSessionToken("theme=dark; seccam_session=abc ; other=1"), "abc");
  EXPECT_FALSE(findSessionToken("theme=dark; xseccam_session=abc"));
  EXPECT_FALSE(findSessionToken(""));
}

TEST(SessionToken, Is32RandomBytesAndOnlyItsHashIsStored) {
  seccam::crypto::initialize();
  auto token = newSessionToken();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_TRUE(isWellFormedSessionToken(token));
  EXPECT_NE(token, newSessionToken());
  EXPECT_EQ(hashSessionToken(token), seccam::crypto::toHex(seccam::crypto::sha256(token)));
  EXPECT_NE(hashSessionToken(token), token);
  EXPECT_FALSE(isWellFormedSessionToken("xyz"));
  EXPECT_FALSE(isWellFormedSessionToken(std::string(64, 'g')));
}
