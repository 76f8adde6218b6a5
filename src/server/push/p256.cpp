#include "server/push/p256.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

namespace seccam::server::push {
namespace {

constexpr const char* kCurve = "prime256v1";

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Group = std::unique_ptr<EC_GROUP, Freer<EC_GROUP, EC_GROUP_free>>;
using Point = std::unique_ptr<EC_POINT, Freer<EC_POINT, EC_POINT_free>>;
using Bignum = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_clear_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Freer<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Freer<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyContext = std::unique_ptr<EVP_PKEY_CTX, Freer<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, Freer<EVP_MD_CTX, EVP_MD_CTX_free>>;
using Signature = std::unique_ptr<ECDSA_SIG, Freer<ECDSA_SIG, ECDSA_SIG_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;

[[noreturn]] void fail(const std::string& what) { throw PushCryptoError("P-256: " + what); }

Group curve() {
  Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  if (!group) fail("no curve");
  return group;
}

Pkey fromParams(const ParamBuild& build, int selection) {
  Params params(OSSL_PARAM_BLD_to_param(build.get()));
  PkeyContext ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, selection, params.get()) != 1) {
    fail("cannot make a key");
  }
  return Pkey(key);
}
}  // namespace

void PkeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

Pkey generateP256Key() {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", kCurve));
  if (!key) fail("cannot generate a key");
  return key;
}

bool isP256Point(std::span<const std::uint8_t> point) {
  if (point.size() != kP256PublicKeyBytes || point[0] != 0x04) return false;
  auto group = curve();
  Point p(EC_POINT_new(group.get()));
  return p && EC_POINT_oct2point(group.get(), p.get(), point.data(), point.size(), nullptr) == 1;
}

Pkey p256PublicKey(std::span<const std::uint8_t> point) {
  if (!isP256Point(point)) fail("not an uncompressed point on the curve");
  ParamBuild build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    fail("cannot build a public key");
  }
  return fromParams(build, EVP_PKEY_PUBLIC_KEY);
}

Pkey p256KeyFromPrivate(std::span<const std::uint8_t> scalar) {
  if (scalar.size() != kP256PrivateKeyBytes) fail("a private key has 32 bytes");
  auto group = curve();
  Bignum d(BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), nullptr));
  Point pub(EC_POINT_new(group.get()));
  std::uint8_t point[kP256PublicKeyBytes];
  if (!d || !pub || BN_is_zero(d.get()) ||
      EC_POINT_mul(group.get(), pub.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), pub.get(), POINT_CONVERSION_UNCOMPRESSED, point,
                         sizeof point, nullptr) != sizeof point) {
    fail("not a private key");
  }
  ParamBuild build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point,
                                       sizeof point) != 1) {
    fail("cannot build a key pair");
  }
  return fromParams(build, EVP_PKEY_KEYPAIR);
}

Bytes publicPoint(const Pkey& key) {
  Bytes out(kP256PublicKeyBytes);
  std::size_t length = 0;
  // Generated keys use the uncompressed format (the default point conversion).
  if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(),
                                      &length) != 1 ||
      length != kP256PublicKeyBytes) {
    fail("cannot read a public key");
  }
  return out;
}

Bytes privateScalar(const Pkey& key) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    fail("cannot read a private key");
  }
  Bignum d(raw);
  Bytes out(kP256PrivateKeyBytes);
  if (BN_bn2binpad(d.get(), out.data(), static_cast<int>(out.size())) < 0) fail("private key size");
  return out;
}

Bytes ecdh(const Pkey& own, const Pkey& peer) {
  PkeyContext ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.get(), nullptr));
  std::size_t length = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) {
    fail("ECDH failed");
  }
  Bytes secret(length);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1) fail("ECDH failed");
  secret.resize(length);
  return secret;
}

Bytes signEs256(const Pkey& key, std::string_view message) {
  DigestContext ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, data, message.size()) != 1) {
    fail("cannot sign");
  }
  Bytes der(length);
  if (EVP_DigestSign(ctx.get(), der.data(), &length, data, message.size()) != 1) fail("cannot sign");
  // OpenSSL writes DER (SEQUENCE of two INTEGERs); JWS wants the two numbers side by side.
  const unsigned char* cursor = der.data();
  Signature sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)));
  if (!sig) fail("cannot read the signature");
  Bytes out(64);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32) {
    fail("signature size");
  }
  return out;
}

std::string privateKeyPem(const Pkey& key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    fail("cannot write the key");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

Pkey privateKeyFromPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key || !EVP_PKEY_is_a(key.get(), "EC")) fail("not a PEM EC private key");
  char group[32] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &length) != 1 ||
      std::string_view(group, length) != kCurve) {
    fail("the key is not on P-256");
  }
  return key;
}

}  // namespace seccam::server::push
