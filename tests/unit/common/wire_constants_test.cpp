// The page's copy of the wire constants (web/js/protocol.js) lists exactly what
// src/common/protocol.hpp lists: the same names with the same values, in the same order.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/protocol.hpp"

namespace {

using namespace seccam::protocol;
using Entries = std::vector<std::pair<std::string, std::string>>;  // name, value as written

std::string protocolJs() {
  std::ifstream in(SECCAM_WEB_PROTOCOL_JS);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The entries of `export const <name> = Object.freeze({ ... });`, string values unquoted.
Entries jsList(const std::string& source, const std::string& name) {
  std::smatch block;
  std::regex blockPattern("export const " + name + R"( = Object\.freeze\(\{([^}]*)\}\);)");
  if (!std::regex_search(source, block, blockPattern)) return {};
  Entries out;
  std::regex entryPattern(R"(([A-Za-z]+):\s*(?:'([^']*)'|(\d+)),)");
  std::string body = block[1];
  for (std::sregex_iterator it(body.begin(), body.end(), entryPattern), end; it != end; ++it) {
    out.emplace_back((*it)[1], (*it)[2].matched ? (*it)[2].str() : (*it)[3].str());
  }
  return out;
}

// "too_many_viewers" -> "TooManyViewers": the enumerator's name, as JS spells the key.
std::string pascalCase(std::string_view wire) {
  std::string out;
  bool upper = true;
  for (char c : wire) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

template <typename E>
Entries cppList(std::span<const E> values) {
  Entries out;
  for (auto v : values) out.emplace_back(pascalCase(wireName(v)), std::string(wireName(v)));
  return out;
}

TEST(WireConstants, TheJsModuleIsReadable) {
  EXPECT_FALSE(protocolJs().empty()) << SECCAM_WEB_PROTOCOL_JS;
}

TEST(WireConstants, JsCloseCodesEqualTheCppList) {
  Entries cpp;
  for (auto code : allCloseCodes()) {
    cpp.emplace_back(std::string(wireName(code)), std::to_string(value(code)));
  }
  EXPECT_EQ(jsList(protocolJs(), "CloseCode"), cpp);
}

TEST(WireConstants, JsErrorCodesEqualTheCppList) {
  EXPECT_EQ(jsList(protocolJs(), "ErrorCode"), cppList(allErrorCodes()));
}

TEST(WireConstants, JsByeReasonsEqualTheCppList) {
  EXPECT_EQ(jsList(protocolJs(), "ByeReason"), cppList(allByeReasons()));
}

}  // namespace
