#include "common/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace seccam {
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
}  // namespace

std::string readPrivateFile(const fs::path& file, std::string_view what, std::size_t maxBytes,
                            std::string_view advice) {
  std::string name(what);
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw std::runtime_error(systemError("cannot read " + name, file));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw std::runtime_error(systemError("cannot read " + name, file));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error(name + " " + file.string() + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error(name + " " + file.string() + " is open to other users (mode " + mode +
                             "); refusing to use it. Make it private with `chmod 600 " +
                             file.string() + "`" + std::string(advice));
  }
  std::string text;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > maxBytes) break;
  }
  if (n < 0) throw std::runtime_error(systemError("cannot read " + name, file));
  return text;
}

bool createPrivateFile(const fs::path& file, std::string_view what, std::string_view contents) {
  std::string name(what);
  FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return false;
    throw std::runtime_error(systemError("cannot create " + name, file));
  }
  if (::write(fd.get(), contents.data(), contents.size()) !=
          static_cast<ssize_t>(contents.size()) ||
      ::fsync(fd.get()) != 0) {
    ::unlink(file.c_str());
    throw std::runtime_error(systemError("cannot write " + name, file));
  }
  return true;
}

}  // namespace seccam
