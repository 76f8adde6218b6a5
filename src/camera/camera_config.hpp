// The camera agent's settings: defaults < TOML file (--config) < SECCAM_CAMERA_* variables <
// flags, validated once at start-up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "camera/motion/motion_detector.hpp"
#include "camera/motion/test_scene.hpp"

namespace seccam::camera {

enum class EncoderPreference { X264, V4l2, Vp8 };

inline constexpr int kDefaultWidth = 1280;
inline constexpr int kDefaultHeight = 720;
inline constexpr int kDefaultFps = 30;
inline constexpr int kDefaultBitrateKbps = 2000;
inline constexpr int kDefaultMaxViewers = 8;

// Clips of motion events on the camera's disk (`[recording]`).
struct RecordingSettings {
  bool enabled = true;        // clips (needs motion on): the full encoder then runs all the time
  int preRollSeconds = 5;     // kept in memory, from the key frame before it
  int postRollSeconds = 5;    // after the last motion
  std::uint64_t budgetMb = 1024;  // the clips folder's size; the oldest clips go first
  int maxAgeDays = 30;        // older clips go; 0: no age limit
};

struct CameraConfig {
  std::string server;  // ws://HOST:PORT/ws/camera or wss://…
  std::string cameraId;
  std::string deviceKeyHex;  // 64 hex digits; secret, never logged
  std::string caFile;        // extra CA certificates (PEM) to trust for wss://; empty: system's
  std::string source = "test";
  int width = kDefaultWidth;
  int height = kDefaultHeight;
  int fps = kDefaultFps;
  int bitrateKbps = kDefaultBitrateKbps;
  EncoderPreference encoder = EncoderPreference::X264;
  int maxViewers = kDefaultMaxViewers;
  bool latencyProbe = false;
  bool instantStart = true;  // RTSP pass-through: decode, so viewers start at once
  std::string logLevel = "info";
  std::string eventLog;  // structured events, one JSON object a line; empty: none
  std::string dataDir = "/var/lib/seccam-camera";  // clips/ lives here
  MotionSettings motion;
  RecordingSettings recording;
  TestSceneSettings testScene;
};

// "WxH+X+Y" (picture pixels) into a zone; throws seccam::ConfigError when malformed.
MotionZone parseMotionZone(const std::string& text);

// The outcome of reading the command line: a config, or text to print and an exit code
// (--help, or an error message naming the bad setting).
struct ConfigResult {
  std::optional<CameraConfig> config;
  std::string message;
  int exitCode = 0;
};

ConfigResult loadCameraConfig(int argc, const char* const* argv);

const char* encoderName(EncoderPreference encoder);

}  // namespace seccam::camera
