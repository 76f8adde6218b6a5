#include "server/config/server_config.hpp"

#include <gtest/gtest.h>
#include <sched.h>

using namespace seccam;
using namespace seccam::server;

TEST(ServerConfig, DefaultsRunOnLoopback8080WithDataUnderDotData) {
  Settings settings("SECCAMCFGTEST_");
  auto config = loadServerConfig(settings);
  EXPECT_EQ(config.listenHost, "127.0.0.1");
  EXPECT_EQ(config.listenPort, 8080);
  EXPECT_EQ(config.dataDir, "./data");
  EXPECT_EQ(config.masterKeyFile, std::filesystem::path("./data") / "master.key");
  EXPECT_EQ(config.turn.ttl.count(), 86400);
  EXPECT_FALSE(config.tlsEnabled());
}

// A server started under `taskset` or in a container's cpuset runs one IO thread a CPU it may
// use, not one a CPU the machine has.
TEST(ServerConfig, DefaultThreadsFollowTheCpusTheProcessMayRunOn) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof saved, &saved), 0);
  int first = 0;
  while (!CPU_ISSET(first, &saved)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  Settings settings("SECCAMCFGTEST_");
  auto pinned = loadServerConfig(settings);
  ASSERT_EQ(sched_setaffinity(0, sizeof saved, &saved), 0);
  EXPECT_EQ(pinned.ioThreads, 1);
  EXPECT_EQ(loadServerConfig(settings).ioThreads, CPU_COUNT(&saved));
}

TEST(ServerConfig, TurnUrlsAreACommaSeparatedList) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("turn.urls", "turn:127.0.0.1:3478?transport=udp, turns:127.0.0.1:5349");
  auto config = loadServerConfig(settings);
  ASSERT_EQ(config.turn.urls.size(), 2u);
  EXPECT_EQ(config.turn.urls[1], "turns:127.0.0.1:5349");
}

TEST(ServerConfig, TurnHostHandsOutUdpTcpAndTlsByDefault) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("turn.host", "turn.example.org");
  EXPECT_EQ(loadServerConfig(settings).turn.urls,
            (std::vector<std::string>{"turn:turn.example.org:3478?transport=udp",
                                      "turn:turn.example.org:3478?transport=tcp",
                                      "turns:turn.example.org:5349?transport=tcp"}));
  settings.setOverride("turn.port", "80");
  settings.setOverride("turn.tls-port", "443");
  EXPECT_EQ(loadServerConfig(settings).turn.urls.back(), "turns:turn.example.org:443?transport=tcp");
  EXPECT_EQ(loadServerConfig(settings).turn.urls.front(), "turn:turn.example.org:80?transport=udp");
  settings.setOverride("turn.tls-port", "0");  // a coturn without a certificate
  EXPECT_EQ(loadServerConfig(settings).turn.urls.size(), 2u);
}

TEST(ServerConfig, AnExplicitTurnUrlListOverridesTheHost) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("turn.host", "turn.example.org");
  settings.setOverride("turn.urls", "turns:relay.example.org:443");
  EXPECT_EQ(loadServerConfig(settings).turn.urls,
            (std::vector<std::string>{"turns:relay.example.org:443"}));
}

TEST(ServerConfig, MalformedTurnHostAndPortsNameTheirKey) {
  for (auto [key, value] : {std::pair{"turn.host", "turn:example.org"},
                            std::pair{"turn.host", "user@example.org"},
                            std::pair{"turn.port", "0"}, std::pair{"turn.port", "65536"},
                            std::pair{"turn.tls-port", "-1"}}) {
    Settings settings("SECCAMCFGTEST_");
    settings.setOverride("turn.host", "turn.example.org");
    settings.setOverride(key, value);
    try {
      loadServerConfig(settings);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const ConfigError& error) {
      EXPECT_NE(std::string(error.what()).find(key), std::string::npos) << error.what();
    }
  }
}

TEST(ServerConfig, MalformedValuesNameTheirKey) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("turn.urls", "http://nope");
  EXPECT_THROW(loadServerConfig(settings), ConfigError);
  Settings tlsHalf("SECCAMCFGTEST_");
  tlsHalf.setOverride("tls.cert", "cert.pem");
  EXPECT_THROW(loadServerConfig(tlsHalf), ConfigError);
  Settings badUrl("SECCAMCFGTEST_");
  badUrl.setOverride("public-url", "cams.example.org");
  EXPECT_THROW(loadServerConfig(badUrl), ConfigError);
}

TEST(ServerConfig, CameraUrlFollowsListenTlsAndPublicUrl) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("listen", "127.0.0.1:9000");
  auto config = loadServerConfig(settings);
  EXPECT_EQ(cameraWebSocketUrl(config), "ws://127.0.0.1:9000/ws/camera");
  config.tlsCert = "c.pem";
  config.tlsKey = "k.pem";
  EXPECT_EQ(cameraWebSocketUrl(config), "wss://127.0.0.1:9000/ws/camera");
  config.publicUrl = "https://cams.example.org";
  EXPECT_EQ(cameraWebSocketUrl(config), "wss://cams.example.org/ws/camera");
  config.publicUrl = "http://10.0.0.2:8080";
  EXPECT_EQ(cameraWebSocketUrl(config), "ws://10.0.0.2:8080/ws/camera");
}

TEST(ServerConfig, TrustedProxiesAreAddressesInCanonicalForm) {
  Settings none("SECCAMCFGTEST_");
  EXPECT_TRUE(loadServerConfig(none).trustedProxies.empty());  // by default nobody is believed

  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("trusted-proxies", "127.0.0.1, 0:0:0:0:0:0:0:1");
  EXPECT_EQ(loadServerConfig(settings).trustedProxies,
            (std::vector<std::string>{"127.0.0.1", "::1"}));

  Settings bad("SECCAMCFGTEST_");
  bad.setOverride("trusted-proxies", "proxy.example.org");
  try {
    loadServerConfig(bad);
    ADD_FAILURE() << "a host name was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trusted-proxies"), std::string::npos) << e.what();
  }
}

TEST(ServerConfig, SignalingTimersDefaultToProtocolValuesAndCanBeShortened) {
  Settings defaults("SECCAMCFGTEST_");
  auto config = loadServerConfig(defaults);
  EXPECT_EQ(config.signaling.pingInterval, std::chrono::seconds(20));
  EXPECT_EQ(config.signaling.cameraAuthTimeout, std::chrono::seconds(10));
  EXPECT_EQ(config.revocationSweepInterval, std::chrono::seconds(5));

  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("signaling.ping-interval", "1");
  settings.setOverride("signaling.camera-auth-timeout", "2");
  settings.setOverride("signaling.revocation-sweep-interval", "3");
  config = loadServerConfig(settings);
  EXPECT_EQ(config.signaling.pingInterval, std::chrono::seconds(1));
  EXPECT_EQ(config.signaling.cameraAuthTimeout, std::chrono::seconds(2));
  EXPECT_EQ(config.revocationSweepInterval, std::chrono::seconds(3));
}

TEST(ServerConfig, SignalingTimersOutOfRangeNameTheirKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"signaling.ping-interval", "0"},
           {"signaling.ping-interval", "soon"},
           {"signaling.camera-auth-timeout", "-1"},
           {"signaling.camera-auth-timeout", "100000"},
           {"signaling.revocation-sweep-interval", "1.5"}}) {
    Settings settings("SECCAMCFGTEST_");
    settings.setOverride(key, value);
    try {
      loadServerConfig(settings);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

TEST(ServerConfig, PushDefaultsToTheBigPushServicesAndAKeyInTheDataFolder) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("data", "/srv/seccam");
  auto config = loadServerConfig(settings);
  EXPECT_EQ(config.vapidKeyFile, std::filesystem::path("/srv/seccam") / "vapid.pem");
  EXPECT_EQ(config.push.endpointHosts, push::kDefaultEndpointHosts);
  EXPECT_FALSE(config.push.allowHttp);
  EXPECT_EQ(config.push.contact, "");
  EXPECT_EQ(config.push.ttl.count(), 86400);
}

TEST(ServerConfig, PushContactFallsBackToAnHttpsPublicUrlAndMustBeMailtoOrHttps) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("public-url", "https://cams.example.org");
  EXPECT_EQ(loadServerConfig(settings).push.contact, "https://cams.example.org");
  settings.setOverride("push.contact", "mailto:ops@example.org");
  EXPECT_EQ(loadServerConfig(settings).push.contact, "mailto:ops@example.org");
  settings.setOverride("push.contact", "ops@example.org");
  EXPECT_THROW(loadServerConfig(settings), ConfigError);
}

TEST(ServerConfig, PushEndpointHostsAreHostNames) {
  Settings settings("SECCAMCFGTEST_");
  settings.setOverride("push.endpoint-hosts", "127.0.0.1, .push.example.org");
  EXPECT_EQ(loadServerConfig(settings).push.endpointHosts,
            (std::vector<std::string>{"127.0.0.1", ".push.example.org"}));
  settings.setOverride("push.endpoint-hosts", "https://push.example.org/");
  EXPECT_THROW(loadServerConfig(settings), ConfigError);
}

TEST(ServerConfig, StoreIsSqliteUnlessAPostgresUrlIsGiven) {
  Settings none("SECCAMCFGTEST_");
  auto sqlite = loadServerConfig(none);
  EXPECT_EQ(sqlite.storeUrl, "");
  EXPECT_EQ(sqlite.storePoolSize, kDefaultStorePoolSize);

  for (std::string url : {"postgresql://seccam:pw@db.lan:5432/seccam", "postgres:///seccam"}) {
    Settings settings("SECCAMCFGTEST_");
    settings.setOverride("store.url", url);
    settings.setOverride("store.pool-size", "9");
    auto config = loadServerConfig(settings);
    EXPECT_EQ(config.storeUrl, url);
    EXPECT_EQ(config.storePoolSize, 9);
  }

  // From the environment (SECCAM_STORE_URL in the server), like every other key.
  Settings fromEnv("SECCAMCFGTEST_");
  ::setenv("SECCAMCFGTEST_STORE_URL", "postgresql:///from-env", 1);
  EXPECT_EQ(loadServerConfig(fromEnv).storeUrl, "postgresql:///from-env");
  ::unsetenv("SECCAMCFGTEST_STORE_URL");
}

TEST(ServerConfig, BadStoreSettingsNameTheirKey) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"store.url", "mysql://db/seccam"},
           {"store.url", "seccam.db"},
           {"store.pool-size", "0"},
           {"store.pool-size", "65"}}) {
    Settings settings("SECCAMCFGTEST_");
    settings.setOverride(key, value);
    try {
      loadServerConfig(settings);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos)
          << e.what();
    }
  }
}

TEST(ServerConfig, NoBusByDefaultAndARedisUrlWhenSet) {
  Settings none("SECCAMCFGTEST_");
  EXPECT_EQ(loadServerConfig(none).busUrl, "");
  Settings set("SECCAMCFGTEST_");
  set.setOverride("bus.url", "redis://10.0.0.5:6379");
  EXPECT_EQ(loadServerConfig(set).busUrl, "redis://10.0.0.5:6379");
  Settings bad("SECCAMCFGTEST_");
  bad.setOverride("bus.url", "http://10.0.0.5:6379");
  EXPECT_THROW(loadServerConfig(bad), ConfigError);
}
