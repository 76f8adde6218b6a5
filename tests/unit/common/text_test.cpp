// The shared ASCII text rules: lower case and letters-or-digits, whatever the locale.
#include "common/text.hpp"

#include <gtest/gtest.h>

using namespace seccam;

TEST(Text, LowerCaseChangesAsciiCapitalsOnly) {
  EXPECT_EQ(text::lowerCase("Application/JSON; Charset=UTF-8"), "application/json; charset=utf-8");
  EXPECT_EQ(text::lowerCase("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // UTF-8 bytes unchanged
}

TEST(Text, AsciiAlnumIsLettersAndDigitsOnly) {
  EXPECT_TRUE(text::isAsciiAlnum('a'));
  EXPECT_TRUE(text::isAsciiAlnum('Z'));
  EXPECT_TRUE(text::isAsciiAlnum('7'));
  EXPECT_FALSE(text::isAsciiAlnum('-'));
  EXPECT_FALSE(text::isAsciiAlnum('\xC3'));
}
