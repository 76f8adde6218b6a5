#include "server/push/vapid.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server/push/base64url.hpp"
#include "server/push/p256.hpp"

namespace seccam::server::push {
namespace fs = std::filesystem;

struct VapidKey::Impl {
  Pkey key;
  std::vector<std::uint8_t> publicKey;
};

namespace {
constexpr std::size_t kMaxKeyFileBytes = 4096;

std::string systemError(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

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

std::string readPrivateFile(const fs::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw std::runtime_error(systemError("cannot read VAPID key", file));
  // Whoever holds this key can send push messages in the server's name.
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw std::runtime_error(systemError("cannot read VAPID key", file));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error("VAPID key " + file.string() + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error("VAPID key " + file.string() + " is open to other users (mode " +
                             mode + "); refusing to use it. Make it private with `chmod 600 " +
                             file.string() + "`");
  }
  std::string text;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxKeyFileBytes) break;
  }
  if (n < 0) throw std::runtime_error(systemError("cannot read VAPID key", file));
  return text;
}

std::shared_ptr<const VapidKey::Impl> makeImpl(Pkey key) {
  auto impl = std::make_shared<VapidKey::Impl>();
  impl->publicKey = publicPoint(key);
  impl->key = std::move(key);
  return impl;
}
}  // namespace

VapidKey VapidKey::loadOrCreate(const fs::path& file) {
  // O_EXCL: of two processes starting at once, exactly one creates the key.
  FileDescriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno != EEXIST) throw std::runtime_error(systemError("cannot create VAPID key", file));
    try {
      return VapidKey(makeImpl(privateKeyFromPem(readPrivateFile(file))));
    } catch (const PushCryptoError& e) {
      throw std::runtime_error("VAPID key " + file.string() + ": " + e.what());
    }
  }
  auto key = generateP256Key();
  auto pem = privateKeyPem(key);
  if (::write(fd.get(), pem.data(), pem.size()) != static_cast<ssize_t>(pem.size()) ||
      ::fsync(fd.get()) != 0) {
    ::unlink(file.c_str());
    throw std::runtime_error(systemError("cannot write VAPID key", file));
  }
  return VapidKey(makeImpl(std::move(key)));
}

VapidKey VapidKey::fromPrivateKey(const std::vector<std::uint8_t>& scalar) {
  return VapidKey(makeImpl(p256KeyFromPrivate(scalar)));
}

const std::vector<std::uint8_t>& VapidKey::publicKey() const { return impl_->publicKey; }

std::string VapidKey::publicKeyBase64Url() const { return base64UrlEncode(impl_->publicKey); }

std::string VapidKey::jwt(std::string_view audience, std::string_view subject,
                          std::int64_t expiresAt) const {
  nlohmann::json claims{{"aud", audience}, {"exp", expiresAt}};
  if (!subject.empty()) claims["sub"] = subject;
  auto signingInput = base64UrlEncode(std::string_view(R"({"typ":"JWT","alg":"ES256"})")) + "." +
                      base64UrlEncode(claims.dump());
  return signingInput + "." + base64UrlEncode(signEs256(impl_->key, signingInput));
}

std::string VapidKey::authorization(std::string_view audience, std::string_view subject,
                                    std::int64_t expiresAt) const {
  return "vapid t=" + jwt(audience, subject, expiresAt) + ", k=" + publicKeyBase64Url();
}

}  // namespace seccam::server::push
