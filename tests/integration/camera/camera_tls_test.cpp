// wss://: the camera connects to a seccam-server serving TLS, trusting its certificate only
// when told to (--ca-file), and says why when it does not.
#include <gtest/gtest.h>

#include "camera_world.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

using namespace seccam::test;

namespace {

struct TlsServer {
  TempDir dir;
  unsigned short port = freePort();
  std::string cert = dir.path() + "/cert.pem";
  std::string key = dir.path() + "/key.pem";
  std::string data = dir.path() + "/data";
  ChildProcess process;
  std::string cameraConfig;

  TlsServer() {
    auto made = runProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"});
    if (made.exitCode != 0) throw std::runtime_error("openssl failed:\n" + made.output);
    std::vector<std::string> common{"--listen",   "127.0.0.1:" + std::to_string(port),
                                    "--data",     data,
                                    "--tls-cert", cert,
                                    "--tls-key",  key};
    std::vector<std::string> provision{serverBinary(), "camera",  "provision",
                                       "--json",       "--count", "1"};
    provision.insert(provision.end(), common.begin(), common.end());
    auto provisioned = runProgram(provision);
    if (provisioned.exitCode != 0)
      throw std::runtime_error("provision failed:\n" + provisioned.output);
    auto id = provisioned.output.substr(provisioned.output.find("\"cameraId\":\"") + 12);
    cameraConfig = data + "/cameras/" + id.substr(0, id.find('"')) + ".toml";
    std::vector<std::string> serve{serverBinary(), "serve"};
    serve.insert(serve.end(), common.begin(), common.end());
    process = ChildProcess(serve, dir.path() + "/server.log");
  }
};
}  // namespace

TEST(CameraTls, ConnectsOverWssWhenTheCertificateIsTrusted) {
  TlsServer server;
  ChildProcess camera(
      {cameraBinary(), "--config", server.cameraConfig, "--ca-file", server.cert, "--width", "160",
       "--height", "120", "--event-log", server.dir.path() + "/camera.events"},
      server.dir.path() + "/camera.log");
  ASSERT_TRUE(waitEvents(camera, "connected", 1, {}, std::chrono::seconds(15)))
      << show(camera) << show(server.process);
  auto connected = cameraEvents(camera, "connected");
  EXPECT_EQ(connected[0]["server"].get<std::string>().rfind("wss://127.0.0.1:", 0), 0u)
      << show(camera);
  EXPECT_TRUE(cameraEvents(camera, "connect_failed").empty()) << show(camera);
}

TEST(CameraTls, RefusesAnUntrustedCertificateAndSaysSo) {
  TlsServer server;
  ChildProcess camera({cameraBinary(), "--config", server.cameraConfig, "--width", "160",
                       "--height", "120", "--event-log", server.dir.path() + "/camera.events"},
                      server.dir.path() + "/camera.log");
  ASSERT_TRUE(
      waitEvents(camera, "connect_failed", 1, withField("stage", "tls"), std::chrono::seconds(15)))
      << show(camera) << show(server.process);
  EXPECT_TRUE(cameraEvents(camera, "connected").empty()) << show(camera);
  EXPECT_TRUE(camera.running());
}
