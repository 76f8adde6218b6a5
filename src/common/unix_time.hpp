// Wall-clock time as the server stores and sends it: seconds since the Unix epoch, and ISO 8601
// UTC text ("2026-11-25T09:50:00Z").
#pragma once

#include <cstdint>
#include <string>

namespace seccam {

std::int64_t unixNow();
std::string isoTime(std::int64_t unixSeconds);

}  // namespace seccam
