// Settings: the provisioned TOML file, environment variables and flags, validated.
#include "camera/camera_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace seccam::camera;

namespace {
const std::string kKey(64, 'a');

ConfigResult load(std::vector<std::string> args) {
  std::vector<const char*> argv{"seccam-camera"};
  for (auto& a : args) argv.push_back(a.c_str());
  return loadCameraConfig(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST(CameraConfig, ReadsTheProvisionedFileWithDefaults) {
  std::string path = testing::TempDir() + "/camera.toml";
  std::ofstream(path) << "server = \"ws://127.0.0.1:8080/ws/camera\"\ncamera-id = \"sc-ABC\"\n"
                         "device-key = \""
                      << kKey << "\"\n";
  auto result = load({"--config", path});
  ASSERT_TRUE(result.config) << result.message;
  EXPECT_EQ(result.config->server, "ws://127.0.0.1:8080/ws/camera");
  EXPECT_EQ(result.config->cameraId, "sc-ABC");
  EXPECT_EQ(result.config->width, 1280);
  EXPECT_EQ(result.config->height, 720);
  EXPECT_EQ(result.config->fps, 30);
  EXPECT_EQ(result.config->maxViewers, 8);
  EXPECT_EQ(result.config->source, "test");
  EXPECT_FALSE(result.config->latencyProbe);
}

TEST(CameraConfig, FlagsBeatEnvironmentWhichBeatsTheFile) {
  std::string path = testing::TempDir() + "/camera2.toml";
  std::ofstream(path) << "server = \"ws://h:1/ws/camera\"\ncamera-id = \"sc-A\"\ndevice-key = \""
                      << kKey << "\"\nwidth = 640\nfps = 15\n";
  ::setenv("SECCAM_CAMERA_WIDTH", "320", 1);
  ::setenv("SECCAM_CAMERA_MAX_VIEWERS", "3", 1);
  auto result = load({"--config", path, "--width", "160", "--height", "120", "--latency-probe"});
  ::unsetenv("SECCAM_CAMERA_WIDTH");
  ::unsetenv("SECCAM_CAMERA_MAX_VIEWERS");
  ASSERT_TRUE(result.config) << result.message;
  EXPECT_EQ(result.config->width, 160);
  EXPECT_EQ(result.config->height, 120);
  EXPECT_EQ(result.config->fps, 15);
  EXPECT_EQ(result.config->maxViewers, 3);
  EXPECT_TRUE(result.config->latencyProbe);
}

TEST(CameraConfig, RefusesBadValuesWithTheKeyNamed) {
  std::vector<std::string> base{"--server", "ws://h:1/ws/camera", "--camera-id",
                                "sc-A",     "--device-key",       kKey};
  auto withArg = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return load(args);
  };
  EXPECT_NE(withArg({"--width", "abc"}).message.find("width"), std::string::npos);
  EXPECT_NE(withArg({"--encoder", "h265"}).message.find("encoder"), std::string::npos);
  EXPECT_NE(withArg({"--device-key", "1234"}).message.find("device-key"), std::string::npos);
  EXPECT_NE(withArg({"--server", "http://h/"}).message.find("server"), std::string::npos);
  EXPECT_EQ(withArg({"--max-viewers", "0"}).exitCode, 2);
}

TEST(CameraConfig, HelpDocumentsEverySetting) {
  auto result = load({"--help"});
  EXPECT_FALSE(result.config);
  EXPECT_EQ(result.exitCode, 0);
  for (const char* flag :
       {"--config", "--server", "--camera-id", "--device-key", "--source", "--width", "--height",
        "--fps", "--bitrate", "--encoder", "--max-viewers", "--latency-probe", "--log-level"}) {
    EXPECT_NE(result.message.find(flag), std::string::npos) << flag;
  }
}
