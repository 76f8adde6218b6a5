#include "server/config/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "common/crypto.hpp"

namespace seccam::server {
namespace fs = std::filesystem;

namespace {
std::string systemError(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// Owns a file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::vector<std::uint8_t> readKey(const fs::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw std::runtime_error(systemError("cannot read master key", file));
  // The key derives every camera's device key: a copy others can read is a leaked fleet.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw std::runtime_error(systemError("cannot read master key", file));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error("master key " + file.string() + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error("master key " + file.string() + " is open to other users (mode " +
                             mode + "); refusing to use it. Make it private with `chmod 600 " +
                             file.string() + "` (and check who may have copied it)");
  }
  std::string text;
  char buffer[256];
  ssize_t n;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > 1024) break;
  }
  if (n < 0) throw std::runtime_error(systemError("cannot read master key", file));
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
  // O_EXCL: of two processes starting at once, exactly one creates the key.
  FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return readKey(file);
    throw std::runtime_error(systemError("cannot create master key", file));
  }
  auto key = crypto::randomBytes(kMasterKeyBytes);
  if (::write(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()) ||
      ::fsync(fd.get()) != 0) {
    ::unlink(file.c_str());
    throw std::runtime_error(systemError("cannot write master key", file));
  }
  return key;
}

}  // namespace seccam::server
