#include "server/push/ece.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <string>

#include "common/crypto.hpp"
#include "server/push/p256.hpp"

namespace seccam::server::push {
namespace {

constexpr std::size_t kKeyBytes = 16;    // AES-128
constexpr std::size_t kNonceBytes = 12;  // GCM
constexpr std::size_t kTagBytes = 16;
constexpr std::uint8_t kLastRecordDelimiter = 0x02;  // RFC 8188 §2: the final record

std::span<const std::uint8_t> bytesOf(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// "Content-Encoding: <what>" followed by one zero byte (RFC 8188 §2.2 and §2.3).
Bytes contentEncodingInfo(std::string_view what) {
  std::string info = "Content-Encoding: ";
  info += what;
  Bytes out(info.begin(), info.end());
  out.push_back(0);
  return out;
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

Bytes aes128GcmSeal(std::span<const std::uint8_t> key, std::span<const std::uint8_t> nonce,
                    std::span<const std::uint8_t> plaintext) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> ctx(EVP_CIPHER_CTX_new());
  Bytes out(plaintext.size() + kTagBytes);
  int written = 0, last = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()),
                          nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &last) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out.data() + written + last) != 1) {
    throw PushCryptoError("AES-128-GCM failed");
  }
  return out;
}

}  // namespace

bool isUsableBrowserKey(std::span<const std::uint8_t> p256dh) { return isP256Point(p256dh); }

Bytes hkdfSha256(std::span<const std::uint8_t> salt, std::span<const std::uint8_t> ikm,
                 std::span<const std::uint8_t> info, std::size_t length) {
  if (length > 255 * 32) throw PushCryptoError("HKDF: too long an output");
  auto prk = crypto::hmacSha256(salt, ikm);  // extract
  Bytes out;
  Bytes block;
  for (std::uint8_t counter = 1; out.size() < length; ++counter) {  // expand
    Bytes message = block;
    message.insert(message.end(), info.begin(), info.end());
    message.push_back(counter);
    auto t = crypto::hmacSha256(prk, message);
    block.assign(t.begin(), t.end());
    out.insert(out.end(), block.begin(), block.end());
  }
  out.resize(length);
  return out;
}

Bytes encryptPushMessageWith(std::span<const std::uint8_t> plaintext,
                             std::span<const std::uint8_t> uaPublic,
                             std::span<const std::uint8_t> authSecret,
                             std::span<const std::uint8_t> senderPrivate,
                             std::span<const std::uint8_t> salt) {
  if (authSecret.size() != kAuthSecretBytes) throw PushCryptoError("the auth secret has 16 bytes");
  if (salt.size() != kSaltBytes) throw PushCryptoError("the salt has 16 bytes");
  if (plaintext.size() > kMaxPlaintextBytes) throw PushCryptoError("the message is too long");
  auto browser = p256PublicKey(uaPublic);
  auto sender = p256KeyFromPrivate(senderPrivate);
  auto asPublic = publicPoint(sender);

  // RFC 8291 §3.3: IKM from the ECDH secret, keyed by the auth secret and both public keys.
  auto sharedSecret = ecdh(sender, browser);
  auto label = bytesOf("WebPush: info");
  Bytes keyInfo(label.begin(), label.end());
  keyInfo.push_back(0);
  keyInfo.insert(keyInfo.end(), uaPublic.begin(), uaPublic.end());
  keyInfo.insert(keyInfo.end(), asPublic.begin(), asPublic.end());
  auto ikm = hkdfSha256(authSecret, sharedSecret, keyInfo, 32);
  // RFC 8188 §2.2, §2.3: the content key and nonce, from the salt (one record: sequence 0).
  auto cek = hkdfSha256(salt, ikm, contentEncodingInfo("aes128gcm"), kKeyBytes);
  auto nonce = hkdfSha256(salt, ikm, contentEncodingInfo("nonce"), kNonceBytes);

  Bytes record(plaintext.begin(), plaintext.end());
  record.push_back(kLastRecordDelimiter);
  auto sealed = aes128GcmSeal(cek, nonce, record);

  // RFC 8188 §2.1 header: salt, record size (big-endian), key ID length, key ID (RFC 8291
  // §4: the sender's public key).
  Bytes body(salt.begin(), salt.end());
  for (int shift = 24; shift >= 0; shift -= 8) {
    body.push_back(static_cast<std::uint8_t>((kRecordSize >> shift) & 0xff));
  }
  body.push_back(static_cast<std::uint8_t>(asPublic.size()));
  body.insert(body.end(), asPublic.begin(), asPublic.end());
  body.insert(body.end(), sealed.begin(), sealed.end());
  return body;
}

Bytes encryptPushMessage(std::span<const std::uint8_t> plaintext,
                         std::span<const std::uint8_t> uaPublic,
                         std::span<const std::uint8_t> authSecret) {
  // A fresh key and salt for every message (RFC 8291 §3.1, RFC 8188 §2.1).
  auto sender = generateP256Key();
  Bytes salt(kSaltBytes);
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw PushCryptoError("no randomness");
  }
  return encryptPushMessageWith(plaintext, uaPublic, authSecret, privateScalar(sender), salt);
}

}  // namespace seccam::server::push
