#include "server/push/vapid.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/private_file.hpp"
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

std::shared_ptr<const VapidKey::Impl> makeImpl(Pkey key) {
  auto impl = std::make_shared<VapidKey::Impl>();
  impl->publicKey = publicPoint(key);
  impl->key = std::move(key);
  return impl;
}
}  // namespace

VapidKey VapidKey::loadOrCreate(const fs::path& file) {
  // Whoever holds this key can send push messages in the server's name.
  auto key = generateP256Key();
  if (createPrivateFile(file, "VAPID key", privateKeyPem(key)))
    return VapidKey(makeImpl(std::move(key)));
  try {
    return VapidKey(
        makeImpl(privateKeyFromPem(readPrivateFile(file, "VAPID key", kMaxKeyFileBytes))));
  } catch (const PushCryptoError& e) {
    throw std::runtime_error("VAPID key " + file.string() + ": " + e.what());
  }
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
