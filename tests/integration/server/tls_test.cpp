// Serving over TLS with a certificate and key from the config: HTTPS API, Secure cookies,
// wss:// in provisioning; plain HTTP is not served on a TLS port.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "support/clients.hpp"
#include "support/server_process.hpp"
#include "support/test_store.hpp"

using namespace seccam::test;
using namespace std::chrono_literals;

namespace {
class TlsServer : public ::testing::Test {
 protected:
  void SetUp() override {
    cert = dir.path() + "/cert.pem";
    key = dir.path() + "/key.pem";
    auto made = runProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"});
    ASSERT_EQ(made.exitCode, 0) << made.output;
    port = freePort();
    listen = "127.0.0.1:" + std::to_string(port);
    process = ChildProcess({serverBinary(), "serve", "--listen", listen, "--data", dir.path() + "/data",
                            "--tls-cert", cert, "--tls-key", key},
                           dir.path() + "/server.log", testStoreEnvironment());
    ASSERT_TRUE(waitFor([&] { return curl({"-o", "/dev/null", "-w", "%{http_code}", url("/healthz")})
                                          .output == "200"; },
                        10s))
        << process.log();
  }

  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port) + path;
  }

  // curl trusting only the test's own certificate.
  RunResult curl(std::vector<std::string> args) const {
    std::vector<std::string> argv{"/usr/bin/curl", "-s", "--max-time", "5", "--cacert", cert};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProgram(argv);
  }

  TempDir dir;
  std::string cert, key, listen;
  unsigned short port = 0;
  ChildProcess process;
};
}  // namespace

TEST_F(TlsServer, ServesTheApiOverHttpsWithSecureCookies) {
  auto provision = runProgram({serverBinary(), "camera", "provision", "--json", "--data",
                               dir.path() + "/data", "--listen", listen, "--tls-cert", cert,
                               "--tls-key", key});
  ASSERT_EQ(provision.exitCode, 0) << provision.output;
  auto camera = nlohmann::json::parse(provision.output.substr(provision.output.find('{')));
  EXPECT_EQ(camera["server"], "wss://" + listen + "/ws/camera");

  nlohmann::json body{{"username", "ann"},
                      {"password", "Secret-pass1"},
                      {"cameraId", camera["cameraId"]},
                      {"claimCode", camera["claimCode"]}};
  auto result = curl({"-i", "-X", "POST", "-H", "Content-Type: application/json", "-H",
                      "Origin: https://" + listen, "--data", body.dump(), url("/api/register")});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_NE(result.output.find("HTTP/1.1 201"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("; Secure"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("HttpOnly"), std::string::npos) << result.output;
  // Browsers that saw the site over HTTPS are told never to use plain HTTP for it.
  EXPECT_NE(result.output.find("Strict-Transport-Security: max-age=31536000"), std::string::npos)
      << result.output;
}

TEST_F(TlsServer, PlainHttpIsNotServedOnTheTlsPort) {
  auto plain = httpRequest("127.0.0.1", port, "GET", "/healthz", "", {}, 2s);
  EXPECT_NE(plain.status, 200);
  // The server is unharmed by it.
  EXPECT_EQ(curl({"-o", "/dev/null", "-w", "%{http_code}", url("/healthz")}).output, "200");
}

TEST_F(TlsServer, HttpOriginIsForeignUnderTls) {
  auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                      "Content-Type: application/json", "-H", "Origin: http://" + listen, "--data",
                      "{}", url("/api/login")});
  EXPECT_EQ(result.output, "403");
}

TEST_F(TlsServer, CameraWebSocketUpgradesOverTls) {
  // curl speaks the upgrade over TLS and prints what comes back until its time runs out:
  // the 101 and the hub's first frame, the challenge.
  auto result = curl({"-i", "-N", "--http1.1", "--max-time", "2", "-H", "Connection: Upgrade", "-H",
                      "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13", "-H",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", url("/ws/camera")});
  EXPECT_NE(result.output.find("HTTP/1.1 101"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\"challenge\""), std::string::npos) << result.output;
}
