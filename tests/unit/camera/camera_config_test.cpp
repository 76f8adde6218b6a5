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

TEST(CameraConfig, MotionAndRecordingFromTheFileSectionsAndFlags) {
  std::string path = testing::TempDir() + "/camera-motion.toml";
  std::ofstream(path) << "server = \"ws://h:1/ws/camera\"\ncamera-id = \"sc-A\"\ndevice-key = \""
                      << kKey << "\"\ndata = \"/tmp/cam\"\n"
                      << "[motion]\nsensitivity = 70\nzones = [\"640x360+0+360\", \"10x20+30+40\"]\n"
                      << "quiet-period = 4\n[recording]\nbudget-mb = 64\npre-roll = 3\n";
  auto result = load({"--config", path, "--recording-max-age-days", "7", "--test-motion",
                      "still:3,move:1.5"});
  ASSERT_TRUE(result.config) << result.message;
  const auto& c = *result.config;
  EXPECT_EQ(c.dataDir, "/tmp/cam");
  EXPECT_TRUE(c.motion.enabled);
  EXPECT_EQ(c.motion.sensitivity, 70);
  ASSERT_EQ(c.motion.zones.size(), 2u);
  EXPECT_EQ(c.motion.zones[0].width, 640);
  EXPECT_EQ(c.motion.zones[0].height, 360);
  EXPECT_EQ(c.motion.zones[0].x, 0);
  EXPECT_EQ(c.motion.zones[0].y, 360);
  EXPECT_EQ(c.motion.zones[1].x, 30);
  EXPECT_EQ(c.motion.quietPeriodMs, 4000);
  EXPECT_EQ(c.recording.budgetMb, 64u);
  EXPECT_EQ(c.recording.preRollSeconds, 3);
  EXPECT_EQ(c.recording.postRollSeconds, 5);
  EXPECT_EQ(c.recording.maxAgeDays, 7);
  EXPECT_EQ(c.testScene.motion, "still:3,move:1.5");
}

TEST(CameraConfig, RefusesBadMotionSettings) {
  std::vector<std::string> base{"--server", "ws://h:1/ws/camera", "--camera-id",
                                "sc-A",     "--device-key",       kKey};
  auto withArg = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return load(args);
  };
  EXPECT_NE(withArg({"--motion-zones", "640x360"}).message.find("motion.zones"), std::string::npos);
  EXPECT_NE(withArg({"--motion-zones", "0x10+0+0"}).message.find("motion.zones"), std::string::npos);
  EXPECT_NE(withArg({"--motion-sensitivity", "0"}).message.find("motion.sensitivity"),
            std::string::npos);
  EXPECT_NE(withArg({"--test-motion", "walk:3"}).message.find("test-motion"), std::string::npos);
  EXPECT_NE(withArg({"--motion-enabled", "maybe"}).message.find("motion.enabled"),
            std::string::npos);
  EXPECT_EQ(withArg({"--recording-pre-roll", "31"}).exitCode, 2);
}

TEST(CameraConfig, HelpDocumentsEverySetting) {
  auto result = load({"--help"});
  EXPECT_FALSE(result.config);
  EXPECT_EQ(result.exitCode, 0);
  for (const char* flag :
       {"--config", "--server", "--camera-id", "--device-key", "--source", "--width", "--height",
        "--fps", "--bitrate", "--encoder", "--max-viewers", "--latency-probe", "--log-level",
        "--data", "--motion-enabled", "--motion-sensitivity", "--motion-zones",
        "--motion-quiet-period", "--recording-enabled", "--recording-pre-roll",
        "--recording-post-roll", "--recording-budget-mb", "--recording-max-age-days",
        "--test-motion", "--test-noise", "--test-scroll"}) {
    EXPECT_NE(result.message.find(flag), std::string::npos) << flag;
  }
}
