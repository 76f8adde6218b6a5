#include "common/crypto.hpp"

#include <gtest/gtest.h>

using namespace seccam::crypto;

class CryptoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { initialize(); }
};

TEST_F(CryptoTest, HmacSha256MatchesRfc4231Case2) {
  auto mac = hmacSha256(asBytes("Jefe"), "what do ya want for nothing?");
  EXPECT_EQ(toHex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(CryptoTest, HmacSha1MatchesRfc2202Case2) {
  auto mac = hmacSha1(asBytes("Jefe"), "what do ya want for nothing?");
  EXPECT_EQ(toHex(mac), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_F(CryptoTest, Sha256OfAbc) {
  EXPECT_EQ(toHex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(CryptoTest, HexRoundTripAndRejectsGarbage) {
  Bytes bytes{0x00, 0x7f, 0xff, 0x10};
  EXPECT_EQ(toHex(bytes), "007fff10");
  EXPECT_EQ(fromHex("007FFF10"), bytes);
  EXPECT_FALSE(fromHex("abc"));
  EXPECT_FALSE(fromHex("zz"));
}

TEST_F(CryptoTest, Base64RoundTripAndRejectsGarbage) {
  EXPECT_EQ(base64Encode(asBytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64Encode(asBytes("fo")), "Zm8=");
  auto decoded = base64Decode("Zm9vYmFy");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), "foobar");
  EXPECT_FALSE(base64Decode("Zm9v!mFy"));
}

TEST_F(CryptoTest, CrockfordBase32Vectors) {
  EXPECT_EQ(crockfordBase32(asBytes("f")), "CR");
  EXPECT_EQ(crockfordBase32(asBytes("foobar")), "CSQPYRK1E8");
  EXPECT_EQ(crockfordBase32(Bytes{0xff, 0xff, 0xff, 0xff, 0xff}), "ZZZZZZZZ");
}

TEST_F(CryptoTest, RandomBytesDiffer) {
  auto a = randomBytes(32), b = randomBytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST_F(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(constantTimeEqual("abc", "abc"));
  EXPECT_FALSE(constantTimeEqual("abc", "abd"));
  EXPECT_FALSE(constantTimeEqual("abc", "abcd"));
}
