#include "server/api/validation.hpp"

#include <gtest/gtest.h>

using namespace seccam::server::api;

TEST(Validation, UsernameAcceptsLettersDigitsDotUnderscoreDash) {
  EXPECT_FALSE(usernameProblem("ann"));
  EXPECT_FALSE(usernameProblem("Ann.B_c-9"));
  EXPECT_FALSE(usernameProblem(std::string(32, 'a')));
}

TEST(Validation, UsernameRefusesWrongLengthAndCharacters) {
  EXPECT_TRUE(usernameProblem("ab"));
  EXPECT_TRUE(usernameProblem(std::string(33, 'a')));
  EXPECT_TRUE(usernameProblem("ann smith"));
  EXPECT_TRUE(usernameProblem("ann@home"));
  EXPECT_TRUE(usernameProblem("ännchen"));
  EXPECT_EQ(*usernameProblem("a b c"),
            "Username may only contain letters, digits, '.', '_' and '-'.");
}

TEST(Validation, PasswordNeedsEveryCharacterClass) {
  EXPECT_FALSE(passwordProblem("Secret-pass1"));
  EXPECT_EQ(*passwordProblem("Sh0rt!"), "Password must be at least 10 characters.");
  EXPECT_EQ(*passwordProblem("SECRET-PASS1"), "Password must contain a lower-case letter.");
  EXPECT_EQ(*passwordProblem("secret-pass1"), "Password must contain an upper-case letter.");
  EXPECT_EQ(*passwordProblem("Secret-passX"), "Password must contain a digit.");
  EXPECT_EQ(*passwordProblem("Secretpass12"), "Password must contain a symbol.");
}

TEST(Validation, PasswordRefusesWhitespaceAndOverlongText) {
  EXPECT_TRUE(passwordProblem("Secret pass1!"));
  EXPECT_TRUE(passwordProblem("Secret\tpass1!"));
  EXPECT_FALSE(passwordProblem("Aa1!" + std::string(124, 'x')));
  EXPECT_EQ(*passwordProblem("Aa1!" + std::string(125, 'x')),
            "Password must be at most 128 characters.");
}

TEST(Validation, PasswordCountsCharactersNotBytes) {
  // Nine characters, but more than ten bytes: still too short.
  EXPECT_TRUE(passwordProblem("Aa1ééééé!"));
  EXPECT_FALSE(passwordProblem("Aa1éééééé!"));
}

TEST(Validation, CameraIdFollowsTheProtocolPattern) {
  EXPECT_FALSE(cameraIdProblem("sc-0123456789ABCDEF"));
  EXPECT_FALSE(cameraIdProblem("a.b_c-d"));
  EXPECT_TRUE(cameraIdProblem(""));
  EXPECT_TRUE(cameraIdProblem("sc 1"));
  EXPECT_TRUE(cameraIdProblem("sc/1"));
  EXPECT_TRUE(cameraIdProblem(std::string(65, 'a')));
}

TEST(Validation, ClaimCodeIgnoresCaseSpacesAndDashes) {
  EXPECT_FALSE(claimCodeProblem("ABCDE12345"));
  EXPECT_FALSE(claimCodeProblem("abcde-12345"));
  EXPECT_FALSE(claimCodeProblem("ab cde 123 45"));
  EXPECT_TRUE(claimCodeProblem("ABCDE1234"));
  EXPECT_TRUE(claimCodeProblem("ABCDE123456"));
  EXPECT_TRUE(claimCodeProblem("ABCDEI2345"));  // I is not in Crockford's alphabet
  EXPECT_TRUE(claimCodeProblem(""));
}

TEST(Validation, CameraNameIsPrintableTextUpTo64Characters) {
  EXPECT_FALSE(cameraNameProblem("Front door"));
  EXPECT_FALSE(cameraNameProblem("<script>alert(1)</script>"));  // escaped where shown
  EXPECT_FALSE(cameraNameProblem(std::string(64, 'x')));
  EXPECT_FALSE(cameraNameProblem("Küche 🐱"));
  EXPECT_TRUE(cameraNameProblem(""));
  EXPECT_TRUE(cameraNameProblem("   "));
  EXPECT_TRUE(cameraNameProblem(std::string(65, 'x')));
  EXPECT_TRUE(cameraNameProblem("line\nbreak"));
}
