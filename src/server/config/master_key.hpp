// The fleet master key (device key K = HMAC-SHA256(master key, camera ID)): read from its
// file, or created there (mode 0600, 32 random bytes) on first use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace seccam::server {

inline constexpr std::size_t kMasterKeyBytes = 32;

// Throws std::runtime_error when the file cannot be read or created, is not a regular file,
// is open to other users (any group or other permission bit: it must be 0600 or 0400), or
// holds no key of the right size (32 raw bytes, or 64 hex digits for a key written by hand).
// Its folder is created 0700 when missing; the file may live outside the data folder
// (`master-key-file`), so that a backup of the database does not carry it.
std::vector<std::uint8_t> loadOrCreateMasterKey(const std::filesystem::path& file);

// Creates `dir` (mode 0700) and its parents if missing.
void ensurePrivateDirectory(const std::filesystem::path& dir);
// The same for the data folder, which holds the database and keys: one that already existed
// readable by others (0755 from a package or by hand) is made 0700. True when it was.
bool makePrivateDirectory(const std::filesystem::path& dir);

}  // namespace seccam::server
