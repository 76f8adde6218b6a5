// Web Push: HKDF (RFC 5869), message encryption against RFC 8291's own example, the VAPID
// JWT checked by OpenSSL's verifier, the key file, and the endpoint rules.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "server/push/base64url.hpp"
#include "server/push/ece.hpp"
#include "server/push/push_settings.hpp"
#include "server/push/vapid.hpp"
#include "support/process.hpp"

using namespace seccam::server::push;

namespace {
std::vector<std::uint8_t> b64(std::string_view text) {
  auto bytes = base64UrlDecode(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(std::vector<std::uint8_t>{});
}

std::vector<std::uint8_t> hex(std::string_view text) {
  auto bytes = seccam::crypto::fromHex(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(std::vector<std::uint8_t>{});
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (auto at = text.find(separator); at != std::string::npos; at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

// OpenSSL's own ES256 verification of a JWT against a raw public point: independent of the
// signing code under test (which converts DER to r || s; this converts back).
bool verifyEs256(const std::string& jwt, const std::vector<std::uint8_t>& publicPoint) {
  auto parts = split(jwt, '.');
  if (parts.size() != 3) return false;
  auto signature = base64UrlDecode(parts[2]);
  if (!signature || signature->size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(signature->data(), 32, nullptr),
                 BN_bin2bn(signature->data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int derLength = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);

  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, publicPoint.data(),
                                   publicPoint.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* keyContext = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(keyContext);
  EVP_PKEY_fromdata(keyContext, &key, EVP_PKEY_PUBLIC_KEY, params);

  EVP_MD_CTX* md = EVP_MD_CTX_new();
  auto signingInput = parts[0] + "." + parts[1];
  bool ok = key && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(md, der, static_cast<std::size_t>(derLength),
                             reinterpret_cast<const unsigned char*>(signingInput.data()),
                             signingInput.size()) == 1;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(keyContext);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  OPENSSL_free(der);
  return ok;
}

nlohmann::json jwtPart(const std::string& jwt, std::size_t index) {
  auto decoded = base64UrlDecode(split(jwt, '.').at(index));
  EXPECT_TRUE(decoded);
  return nlohmann::json::parse(std::string(decoded->begin(), decoded->end()));
}
}  // namespace

TEST(WebPush, Base64UrlRoundTripsWithoutPadding) {
  std::vector<std::uint8_t> bytes = {0xfb, 0xff, 0x00, 0x10, 0x7e};
  EXPECT_EQ(base64UrlEncode(bytes), "-_8AEH4");
  EXPECT_EQ(b64("-_8AEH4"), bytes);
  EXPECT_EQ(b64("-_8AEH4="), bytes);
  EXPECT_FALSE(base64UrlDecode("+/8AEH4"));
  EXPECT_FALSE(base64UrlDecode("A"));
}

// RFC 5869 appendix A.1.
TEST(WebPush, HkdfMatchesRfc5869TestCase1) {
  auto ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  auto salt = hex("000102030405060708090a0b0c");
  auto info = hex("f0f1f2f3f4f5f6f7f8f9");
  EXPECT_EQ(hkdfSha256(salt, ikm, info, 42),
            hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b88718"
                "5865"));
}

// RFC 8291 appendix A: the same keys and salt give the published body, byte for byte.
TEST(WebPush, EncryptionMatchesRfc8291AppendixA) {
  std::string plaintext = "When I grow up, I want to be a watermelon";
  auto body = encryptPushMessageWith(
      std::span(reinterpret_cast<const std::uint8_t*>(plaintext.data()), plaintext.size()),
      b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
      b64("BTBZMqHH6r4Tts7J_aSIgg"), b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
      b64("DGv6ra1nlYgDCS1FRnbzlw"));
  EXPECT_EQ(base64UrlEncode(body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocIn"
            "mYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNW"
            "QexSgSxsj_Qulcy4a-fN");
}

TEST(WebPush, EveryMessageHasAFreshSaltAndKey) {
  auto browserKey = b64(
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
  auto auth = b64("BTBZMqHH6r4Tts7J_aSIgg");
  std::vector<std::uint8_t> message = {'h', 'i'};
  auto first = encryptPushMessage(message, browserKey, auth);
  auto second = encryptPushMessage(message, browserKey, auth);
  // 16 salt + 4 record size + 1 + 65 key + 2 + 1 delimiter + 16 tag.
  EXPECT_EQ(first.size(), 105u);
  EXPECT_NE(std::vector(first.begin(), first.begin() + 16),
            std::vector(second.begin(), second.begin() + 16));
  EXPECT_NE(std::vector(first.begin() + 21, first.begin() + 86),
            std::vector(second.begin() + 21, second.begin() + 86));
}

TEST(WebPush, BrowserKeysOffTheCurveAreRefused) {
  auto point = b64(
      "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
  point[40] ^= 1;
  std::vector<std::uint8_t> message = {'h', 'i'};
  EXPECT_ANY_THROW(encryptPushMessage(message, point, b64("BTBZMqHH6r4Tts7J_aSIgg")));
}

TEST(WebPush, VapidJwtVerifiesWithOpenSslAndCarriesTheClaims) {
  auto key = VapidKey::fromPrivateKey(b64("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"));
  EXPECT_EQ(key.publicKeyBase64Url(),
            "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8");
  auto jwt = key.jwt("https://push.example.net", "mailto:ops@example.org", 1'900'000'000);
  EXPECT_TRUE(verifyEs256(jwt, key.publicKey()));
  EXPECT_EQ(jwtPart(jwt, 0), (nlohmann::json{{"typ", "JWT"}, {"alg", "ES256"}}));
  EXPECT_EQ(jwtPart(jwt, 1), (nlohmann::json{{"aud", "https://push.example.net"},
                                             {"exp", 1'900'000'000},
                                             {"sub", "mailto:ops@example.org"}}));
  // Another key's signature does not pass.
  auto other = VapidKey::fromPrivateKey(b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"));
  EXPECT_FALSE(verifyEs256(jwt, other.publicKey()));

  auto header = key.authorization("https://push.example.net", "", 1'900'000'000);
  ASSERT_TRUE(header.starts_with("vapid t="));
  auto comma = header.find(", k=");
  ASSERT_NE(comma, std::string::npos);
  EXPECT_EQ(header.substr(comma + 4), key.publicKeyBase64Url());
  auto token = header.substr(8, comma - 8);
  EXPECT_TRUE(verifyEs256(token, key.publicKey()));
  EXPECT_FALSE(jwtPart(token, 1).contains("sub"));
}

TEST(WebPush, VapidKeyIsMadeOnceAsAPrivateFileAndKept) {
  seccam::test::TempDir dir;
  auto file = std::filesystem::path(dir.path()) / "vapid.pem";
  auto made = VapidKey::loadOrCreate(file);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(VapidKey::loadOrCreate(file).publicKey(), made.publicKey());

  std::filesystem::permissions(file, std::filesystem::perms(0644));
  EXPECT_THROW(VapidKey::loadOrCreate(file), std::runtime_error);
  std::filesystem::permissions(file, std::filesystem::perms(0600));
  std::ofstream(file) << "not a key";
  EXPECT_THROW(VapidKey::loadOrCreate(file), std::runtime_error);
}

TEST(WebPush, EndpointsMustBeHttpsToAKnownPushService) {
  PushSettings settings;
  EXPECT_FALSE(pushEndpointProblem("https://fcm.googleapis.com/fcm/send/abc:def", settings));
  EXPECT_FALSE(pushEndpointProblem("https://wns2-par02p.notify.windows.com/w/?token=x", settings));
  EXPECT_TRUE(pushEndpointProblem("https://notify.windows.com.evil.example/w", settings));
  EXPECT_TRUE(pushEndpointProblem("https://127.0.0.1:8080/x", settings));
  EXPECT_TRUE(pushEndpointProblem("http://fcm.googleapis.com/fcm/send/x", settings));
  EXPECT_TRUE(pushEndpointProblem("https://user@fcm.googleapis.com/x", settings));
  EXPECT_TRUE(pushEndpointProblem("https://fcm.googleapis.com/a b", settings));
  EXPECT_TRUE(pushEndpointProblem("javascript:alert(1)", settings));

  settings.allowHttp = true;
  settings.endpointHosts = {"127.0.0.1"};
  EXPECT_FALSE(pushEndpointProblem("http://127.0.0.1:9000/push/1", settings));
  auto endpoint = parsePushEndpoint("http://127.0.0.1:9000/push/1?x=1", true);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->origin, "http://127.0.0.1:9000");
  EXPECT_EQ(endpoint->target, "/push/1?x=1");
  auto tls = parsePushEndpoint("https://FCM.googleapis.com:443/fcm", false);
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->origin, "https://fcm.googleapis.com");
  EXPECT_EQ(tls->port, "443");
}
