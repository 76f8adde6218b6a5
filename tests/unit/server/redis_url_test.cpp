// [bus] url: what the server accepts as the address of the deployment's Redis.
#include <gtest/gtest.h>

#include "server/bus/redis_bus.hpp"

namespace seccam::server::bus {
namespace {

TEST(RedisUrl, HostAndPortOrTheDefaultPort) {
  auto a = parseRedisUrl("redis://10.0.0.5:6380");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 6380);
  auto b = parseRedisUrl("redis://redis.internal");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "redis.internal");
  EXPECT_EQ(b->port, 6379);
  EXPECT_EQ(parseRedisUrl("redis://localhost:7000/")->host, "127.0.0.1");
}

TEST(RedisUrl, AnythingElseIsRefused) {
  for (const char* bad : {"", "redis://", "http://host:6379", "redis://host:0",
                          "redis://host:70000", "redis://host:port", "redis://user@host:6379",
                          "rediss://host:6379", "redis://host:6379/0", "redis://user:@host",
                          "redis://:@host", "redis://:pa%zzss@host", "redis://:pass%4@host",
                          "redis://:pass%@host", "redis://:pass@", "redis://:pass@:6379"}) {
    EXPECT_FALSE(parseRedisUrl(bad)) << bad;
  }
}

TEST(RedisUrl, APasswordAndAUserNameAreTakenApartAndDecoded) {
  auto none = parseRedisUrl("redis://10.0.0.5:6380");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->username, "");
  EXPECT_EQ(none->password, "");
  auto requirepass = parseRedisUrl("redis://:s3cret@10.0.0.5:6380");
  ASSERT_TRUE(requirepass);
  EXPECT_EQ(requirepass->username, "");
  EXPECT_EQ(requirepass->password, "s3cret");
  EXPECT_EQ(requirepass->host, "10.0.0.5");
  EXPECT_EQ(requirepass->port, 6380);
  // An ACL user; the password holds every character a URL reserves, encoded or not.
  auto acl = parseRedisUrl("redis://seccam:p%40ss%3Aw%2Frd%25:x@y@redis.internal/");
  ASSERT_TRUE(acl);
  EXPECT_EQ(acl->username, "seccam");
  EXPECT_EQ(acl->password, "p@ss:w/rd%:x@y");
  EXPECT_EQ(acl->host, "redis.internal");
  EXPECT_EQ(acl->port, 6379);
}

TEST(RedisUrl, TheRedactedFormHidesThePasswordOnly) {
  EXPECT_EQ(redactRedisUrl("redis://seccam:s3cret@10.0.0.5:6380"), "redis://seccam:***@10.0.0.5:6380");
  EXPECT_EQ(redactRedisUrl("redis://:s3cret@host"), "redis://:***@host");
  EXPECT_EQ(redactRedisUrl("redis://:a@b:c@host:1"), "redis://:***@host:1");
  EXPECT_EQ(redactRedisUrl("redis://host:6379"), "redis://host:6379");
  // Refused by the parser, and maybe a password without its colon: none of it is shown.
  EXPECT_EQ(redactRedisUrl("redis://S3cret@host"), "redis://***@host");
}

}  // namespace
}  // namespace seccam::server::bus
