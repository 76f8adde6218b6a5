// The log line format of both programs: see log_format.hpp.
#include "common/log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace seccam::logging {

namespace {
void appendEscaped(std::string_view text, auto&& append) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      append(&c, 1);
    } else if (c == '\n') {
      append("\\n", 2);
    } else if (c == '\r') {
      append("\\r", 2);
    } else if (c == '\t') {
      append("\\t", 2);
    } else {
      const char escaped[] = {'\\', 'x', kHex[u >> 4], kHex[u & 0xf]};
      append(escaped, 4);
    }
  }
}

class EscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    appendEscaped(std::string_view(msg.payload.data(), msg.payload.size()),
                  [&](const char* data, std::size_t size) { dest.append(data, data + size); });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessage>();
  }
};
}  // namespace

std::string escapeControlCharacters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendEscaped(text, [&](const char* data, std::size_t size) { out.append(data, size); });
  return out;
}

void useEscapingFormat(const std::string& pattern) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedMessage>('*').set_pattern(pattern);
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace seccam::logging
