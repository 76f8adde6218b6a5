#include "server/auth/password_hash.hpp"

#include <gtest/gtest.h>

#include "common/crypto.hpp"

using namespace seccam::server::auth;

class PasswordHash : public ::testing::Test {
 protected:
  void SetUp() override { seccam::crypto::initialize(); }
};

TEST_F(PasswordHash, RoundTripsTheRightPasswordOnly) {
  auto hash = hashPassword("Secret-pass1");
  EXPECT_TRUE(verifyPassword("Secret-pass1", hash));
  EXPECT_FALSE(verifyPassword("Secret-pass2", hash));
  EXPECT_FALSE(verifyPassword("", hash));
}

TEST_F(PasswordHash, IsArgon2idWithAFreshSalt) {
  auto first = hashPassword("Secret-pass1");
  auto second = hashPassword("Secret-pass1");
  EXPECT_EQ(first.rfind("$argon2id$", 0), 0u) << first;
  EXPECT_NE(first, second);
  EXPECT_EQ(first.find("Secret-pass1"), std::string::npos);
}

TEST_F(PasswordHash, GarbageStoredHashNeverVerifies) {
  EXPECT_FALSE(verifyPassword("Secret-pass1", "not a hash"));
  EXPECT_FALSE(verifyPassword("Secret-pass1", ""));
}

TEST_F(PasswordHash, DecoyHashIsValidButMatchesNothingGuessable) {
  EXPECT_EQ(decoyPasswordHash().rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(verifyPassword("Secret-pass1", decoyPasswordHash()));
}
