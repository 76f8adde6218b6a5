// Files that hold a secret (the fleet master key, the VAPID key): created 0600 exactly once,
// and refused when anyone but their owner may read them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace seccam {

// The file's contents, at most `maxBytes` (more is cut there: the caller's parser refuses it).
// Throws std::runtime_error naming `what` ("master key") when it cannot be read, is not a
// regular file, or has any group or other permission bit (`advice` follows the chmod hint).
std::string readPrivateFile(const std::filesystem::path& file, std::string_view what,
                            std::size_t maxBytes, std::string_view advice = "");

// Creates `file` with mode 0600 holding `contents`, unless it exists: false then. O_EXCL, so
// of two processes starting at once exactly one creates it. Throws std::runtime_error when it
// cannot be created or written (a half-written file is removed).
bool createPrivateFile(const std::filesystem::path& file, std::string_view what,
                       std::string_view contents);

}  // namespace seccam
