// The log line format of both programs, with every logged value made safe: control
// characters in a message (a newline in a client's message type, an escape sequence) are
// written escaped, so input can never forge or hide a log line.
#pragma once

#include <string>
#include <string_view>

namespace seccam::logging {

// "a\nb" -> "a\\nb"; other control characters (and DEL) as \xNN.
std::string escapeControlCharacters(std::string_view text);

// Sets the format of every logger: `pattern` is a spdlog pattern in which %* stands for the
// escaped message (use it instead of %v).
void useEscapingFormat(const std::string& pattern);

}  // namespace seccam::logging
