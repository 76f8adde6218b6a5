#include "common/identity.hpp"

#include <gtest/gtest.h>

using namespace seccam;

namespace {
// Fixed vectors computed independently (Python hmac/hashlib) from PROTOCOL.md's definitions.
crypto::Bytes masterKey() {
  crypto::Bytes key(32);
  for (int i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}
constexpr const char* kCameraId = "sc-TESTCAMERA000001";
}  // namespace

TEST(Identity, DeviceKeyIsHmacOfMasterKeyAndCameraId) {
  EXPECT_EQ(crypto::toHex(identity::deriveDeviceKey(masterKey(), kCameraId)),
            "c96f64be2ecbae89d1032dec8c98b243806cf9245ecb35a039a49c2b62b36b5b");
}

TEST(Identity, ClaimCodeIsTenCrockfordCharactersOfHmacClaim) {
  auto key = identity::deriveDeviceKey(masterKey(), kCameraId);
  EXPECT_EQ(identity::deriveClaimCode(key), "WDB0MNS9Y1");
}

TEST(Identity, ClaimCodeNormalizationIgnoresCaseSpacesAndDashes) {
  EXPECT_EQ(identity::normalizeClaimCode("wdb0-mns9 y1"), "WDB0MNS9Y1");
}

TEST(Identity, ChallengeSignatureVector) {
  auto key = identity::deriveDeviceKey(masterKey(), kCameraId);
  EXPECT_EQ(identity::signChallenge(key, "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=", kCameraId),
            "2cb2612e6b78f0151f8d93a12c87b517421f798d0a7a4f24731a1b9251b58fc1");
}

TEST(Identity, NewCameraIdHasPrefixAndSixteenBase32Characters) {
  crypto::initialize();
  auto id = identity::newCameraId();
  ASSERT_EQ(id.size(), 19u);
  EXPECT_EQ(id.substr(0, 3), "sc-");
  EXPECT_EQ(id.substr(3).find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), std::string::npos);
  EXPECT_TRUE(identity::isValidCameraId(id));
  EXPECT_NE(id, identity::newCameraId());
}

TEST(Identity, CameraIdValidation) {
  EXPECT_TRUE(identity::isValidCameraId("a"));
  EXPECT_TRUE(identity::isValidCameraId("cam.front_door-1"));
  EXPECT_FALSE(identity::isValidCameraId(""));
  EXPECT_FALSE(identity::isValidCameraId(std::string(65, 'a')));
  EXPECT_FALSE(identity::isValidCameraId("cam/1"));
  EXPECT_FALSE(identity::isValidCameraId("cam 1"));
}

TEST(Identity, SessionIdValidation) {
  EXPECT_TRUE(identity::isValidSessionId("abcdefgh"));
  EXPECT_FALSE(identity::isValidSessionId("abcdefg"));
  EXPECT_FALSE(identity::isValidSessionId("abcd.efgh"));
  EXPECT_FALSE(identity::isValidSessionId(std::string(65, 'a')));
}
