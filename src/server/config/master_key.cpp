#include "server/config/master_key.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/crypto.hpp"
#include "common/private_file.hpp"

namespace seccam::server {
namespace fs = std::filesystem;

namespace {
std::string systemError(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

std::vector<std::uint8_t> readKey(const fs::path& file) {
  // The key derives every camera's device key: a copy others can read is a leaked fleet.
  auto text = readPrivateFile(file, "master key", 1024, " (and check who may have copied it)");
  if (text.size() == kMasterKeyBytes) return {text.begin(), text.end()};
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.size() == kMasterKeyBytes * 2) {
    if (auto key = crypto::fromHex(text)) return *key;
  }
  throw std::runtime_error("master key file " + file.string() +
                           " must hold 32 bytes (or 64 hex digits)");
}
}  // namespace

void ensurePrivateDirectory(const fs::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  ensurePrivateDirectory(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw std::runtime_error(systemError("cannot create directory", dir));
  }
}

bool makePrivateDirectory(const fs::path& dir) {
  ensurePrivateDirectory(dir);
  struct stat info {};
  if (dir.empty() || ::stat(dir.c_str(), &info) != 0 || (info.st_mode & 077) == 0) return false;
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw std::runtime_error(systemError("cannot make private (0700)", dir));
  }
  return true;
}

std::vector<std::uint8_t> loadOrCreateMasterKey(const fs::path& file) {
  ensurePrivateDirectory(file.parent_path());
  auto key = crypto::randomBytes(kMasterKeyBytes);
  if (!createPrivateFile(file, "master key",
                         std::string_view(reinterpret_cast<const char*>(key.data()), key.size())))
    return readKey(file);  // it was there already (or another process made it just now)
  return key;
}

}  // namespace seccam::server
