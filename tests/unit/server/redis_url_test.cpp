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
                          "rediss://host:6379", "redis://host:6379/0"}) {
    EXPECT_FALSE(parseRedisUrl(bad)) << bad;
  }
}

}  // namespace
}  // namespace seccam::server::bus
