// Logged values cannot forge or hide log lines: control characters are written escaped.
#include "common/log_format.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace seccam::logging {
namespace {

TEST(LogFormat, ControlCharactersAreEscaped) {
  EXPECT_EQ(escapeControlCharacters("plain text, 'quoted' \\ and ünïcode"),
            "plain text, 'quoted' \\ and ünïcode");
  EXPECT_EQ(escapeControlCharacters("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(escapeControlCharacters(std::string("\x1b[31mred\x7f\0", 10)),
            "\\x1b[31mred\\x7f\\x00");
}

TEST(LogFormat, AMessageWithANewlineStaysOnOneLine) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  useEscapingFormat("%l %*");
  spdlog::warn("unknown type '{}'", "x\n[2026-01-01] [seccam-server] [info] forged");
  spdlog::set_default_logger(previous);
  EXPECT_EQ(out.str(), "warning unknown type 'x\\n[2026-01-01] [seccam-server] [info] forged'\n");
}

}  // namespace
}  // namespace seccam::logging
