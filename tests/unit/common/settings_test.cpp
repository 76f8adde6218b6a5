#include "common/settings.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace seccam;

namespace {
std::string writeToml(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() /
              ("seccam-settings-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST(Settings, LaterLayersOverrideEarlier) {
  Settings s("SECCAMTEST_");
  s.loadToml(writeToml("listen = \"1.2.3.4:1\"\n[turn]\nsecret = \"file\"\nttl = 60\n"));
  EXPECT_EQ(s.getString("listen", "x"), "1.2.3.4:1");
  EXPECT_EQ(s.getString("turn.secret", "x"), "file");
  ::setenv("SECCAMTEST_TURN_SECRET", "env", 1);
  EXPECT_EQ(s.getString("turn.secret", "x"), "env");
  s.setOverride("turn.secret", "flag");
  EXPECT_EQ(s.getString("turn.secret", "x"), "flag");
  ::unsetenv("SECCAMTEST_TURN_SECRET");
  EXPECT_EQ(s.getInt("turn.ttl", 1, 1, 1000), 60);
  EXPECT_EQ(s.getString("missing", "default"), "default");
}

TEST(Settings, EnvironmentNameFollowsKey) {
  Settings s("SECCAM_");
  EXPECT_EQ(s.envName("turn.secret"), "SECCAM_TURN_SECRET");
  EXPECT_EQ(s.envName("public-url"), "SECCAM_PUBLIC_URL");
}

TEST(Settings, ListsFromArraysAndCommaText) {
  Settings s("SECCAMTEST_");
  s.loadToml(writeToml("[turn]\nurls = [\"turn:a:1\", \"turns:b:2\"]\n"));
  EXPECT_EQ(s.getList("turn.urls", {}), (std::vector<std::string>{"turn:a:1", "turns:b:2"}));
  s.setOverride("turn.urls", "stun:c:3, turn:d:4");
  EXPECT_EQ(s.getList("turn.urls", {}), (std::vector<std::string>{"stun:c:3", "turn:d:4"}));
}

TEST(Settings, BadValuesGiveClearErrors) {
  Settings s("SECCAMTEST_");
  s.setOverride("n", "12x");
  EXPECT_THROW(s.getInt("n", 0, 0, 100), ConfigError);
  s.setOverride("n", "1000");
  EXPECT_THROW(s.getInt("n", 0, 0, 100), ConfigError);
  s.setOverride("b", "maybe");
  EXPECT_THROW(s.getBool("b", false), ConfigError);
  EXPECT_THROW(s.loadToml(writeToml("this is = = not toml")), ConfigError);
}

TEST(Settings, HostPort) {
  EXPECT_EQ(parseHostPort("127.0.0.1:8080"), (std::pair<std::string, unsigned short>{"127.0.0.1", 8080}));
  EXPECT_EQ(parseHostPort("[::1]:80").first, "::1");
  EXPECT_THROW(parseHostPort("localhost"), ConfigError);
  EXPECT_THROW(parseHostPort("a:99999"), ConfigError);
}
