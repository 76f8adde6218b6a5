// Command line, environment and TOML into a validated CameraConfig.
#include "camera/camera_config.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <algorithm>
#include <map>
#include <stdexcept>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "common/settings.hpp"

namespace seccam::camera {

namespace {
constexpr int kMaxDimension = 4096;
constexpr int kMaxFps = 120;
constexpr int kMaxBitrateKbps = 50'000;
constexpr int kMaxViewersLimit = 64;

struct KeyHelp {
  const char* key;
  const char* help;
};
// Every setting: its TOML key (also the flag name) and what it does.
constexpr KeyHelp kKeys[] = {
    {"server", "Camera WebSocket URL of seccam-server (ws://HOST:PORT/ws/camera or wss://…)"},
    {"camera-id", "This camera's ID, as provisioned"},
    {"device-key", "This camera's device key (64 hex digits, as provisioned)"},
    {"ca-file", "PEM file of CA certificates to trust for wss:// besides the system's"},
    {"source",
     "Video source: test | v4l2:/dev/videoN | libcamera | rtsp://… | file:PATH (default test)"},
    {"width", "Picture width in pixels (default 1280)"},
    {"height", "Picture height in pixels (default 720)"},
    {"fps", "Frames per second (default 30)"},
    {"bitrate", "Encoder bitrate in kbit/s (default 2000)"},
    {"encoder", "Encoder preference: x264 | v4l2 (hardware H.264) | vp8 (default x264)"},
    {"max-viewers", "Most viewers at once; more get bye too_many_viewers (default 8)"},
    {"latency-probe",
     "Stamp each frame's capture time into the picture (PROTOCOL.md latency probe; true/false in "
     "the file and environment)"},
    {"instant-start",
     "RTSP pass-through: decode the camera's stream so that a new viewer starts at once instead "
     "of at its next key frame, and a thin link gets a smaller picture (true/false, default "
     "true)"},
    {"data", "Folder for the camera's own files: clips/ holds the event clips (default "
             "/var/lib/seccam-camera)"},
    {"motion.enabled", "Motion detection: events to the server and clips (true/false, default true)"},
    {"motion.sensitivity", "1-100: higher reacts to smaller moving areas (default 50)"},
    {"motion.zones",
     "Only motion inside these rectangles counts: WxH+X+Y in picture pixels, comma separated "
     "(default the whole picture)"},
    {"motion.quiet-period", "Seconds without motion that end an event (default 10)"},
    {"recording.enabled", "Keep a clip of each motion event (true/false, default true)"},
    {"recording.pre-roll", "Seconds of video before the motion in each clip (default 5)"},
    {"recording.post-roll", "Seconds of video after the last motion in each clip (default 5)"},
    {"recording.budget-mb", "Disk budget of the clips in MB; the oldest go first (default 1024)"},
    {"recording.max-age-days", "Clips older than this go; 0: no age limit (default 30)"},
    {"test-motion",
     "Test source: still and moving periods in seconds, repeated, e.g. still:20,move:5 (the "
     "default); none: always still"},
    {"test-noise", "Test source: sensor-like noise, ± luma levels per pixel (default 0)"},
    {"test-scroll",
     "Test source: pixels a frame the pattern scrolls by (default 0; benchmarks use 2, with "
     "motion detection off)"},
    {"log-level", "trace | debug | info | warn | error (default info)"},
    {"event-log",
     "File to append structured events to, one JSON object a line (viewers joining and "
     "leaving, connection, encoder); default none"},
};

EncoderPreference parseEncoder(const std::string& text) {
  if (text == "x264") return EncoderPreference::X264;
  if (text == "v4l2") return EncoderPreference::V4l2;
  if (text == "vp8") return EncoderPreference::Vp8;
  throw ConfigError("'encoder' must be x264, v4l2 or vp8, not '" + text + "'");
}
}  // namespace

MotionZone parseMotionZone(const std::string& text) {
  MotionZone z;
  char x = 0;
  char plus1 = 0;
  char plus2 = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c%d%c%d%n", &z.width, &x, &z.height, &plus1, &z.x, &plus2,
                  &z.y, &used) != 7 ||
      used != static_cast<int>(text.size()) || (x != 'x' && x != 'X') || plus1 != '+' ||
      plus2 != '+' || z.width <= 0 || z.height <= 0 || z.x < 0 || z.y < 0)
    throw ConfigError("'motion.zones' entries must be WxH+X+Y in picture pixels, not '" + text +
                      "'");
  return z;
}

const char* encoderName(EncoderPreference encoder) {
  switch (encoder) {
    case EncoderPreference::X264:
      return "x264";
    case EncoderPreference::V4l2:
      return "v4l2";
    case EncoderPreference::Vp8:
      return "vp8";
  }
  return "?";
}

ConfigResult loadCameraConfig(int argc, const char* const* argv) {
  CLI::App app{
      "seccam-camera: streams live video to SecCam viewers over WebRTC.\n"
      "Settings come from the TOML file given with --config, then SECCAM_CAMERA_<KEY>\n"
      "environment variables (e.g. SECCAM_CAMERA_DEVICE_KEY), then flags; later ones win."};
  std::string configPath;
  app.add_option("--config", configPath, "TOML file with the settings below (as provisioned)");
  std::map<std::string, std::string> flagValues;
  for (const auto& k : kKeys) {
    if (std::string(k.key) == "latency-probe") continue;
    // The last of repeated flags wins, so wrappers can append overrides.
    // A key in a section is a flag with a dash: `motion.quiet-period` is --motion-quiet-period.
    std::string flag = k.key;
    std::replace(flag.begin(), flag.end(), '.', '-');
    app.add_option("--" + flag, flagValues[k.key], k.help)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  }
  bool probeFlag = false;
  for (const auto& k : kKeys) {
    if (std::string(k.key) == "latency-probe") app.add_flag("--latency-probe", probeFlag, k.help);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return {std::nullopt, app.help(), 0};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, std::string(e.what()) + "\nRun with --help for the options.", 2};
  }

  try {
    Settings settings("SECCAM_CAMERA_");
    if (!configPath.empty()) settings.loadToml(configPath);
    for (const auto& [key, value] : flagValues) {
      if (!value.empty()) settings.setOverride(key, value);
    }
    if (probeFlag) settings.setOverride("latency-probe", "true");

    CameraConfig c;
    c.server = settings.getString("server", "");
    c.cameraId = settings.getString("camera-id", "");
    c.deviceKeyHex = settings.getString("device-key", "");
    c.caFile = settings.getString("ca-file", "");
    c.source = settings.getString("source", c.source);
    c.width = static_cast<int>(settings.getInt("width", c.width, 16, kMaxDimension));
    c.height = static_cast<int>(settings.getInt("height", c.height, 16, kMaxDimension));
    c.fps = static_cast<int>(settings.getInt("fps", c.fps, 1, kMaxFps));
    c.bitrateKbps =
        static_cast<int>(settings.getInt("bitrate", c.bitrateKbps, 50, kMaxBitrateKbps));
    c.encoder = parseEncoder(settings.getString("encoder", "x264"));
    c.maxViewers =
        static_cast<int>(settings.getInt("max-viewers", c.maxViewers, 1, kMaxViewersLimit));
    c.latencyProbe = settings.getBool("latency-probe", false);
    c.instantStart = settings.getBool("instant-start", true);
    c.logLevel = settings.getString("log-level", c.logLevel);
    c.eventLog = settings.getString("event-log", "");
    c.dataDir = settings.getString("data", c.dataDir);
    c.motion.enabled = settings.getBool("motion.enabled", c.motion.enabled);
    c.motion.sensitivity =
        static_cast<int>(settings.getInt("motion.sensitivity", c.motion.sensitivity, 1, 100));
    c.motion.zones.clear();
    for (const auto& zone : settings.getList("motion.zones", {}))
      c.motion.zones.push_back(parseMotionZone(zone));
    c.motion.quietPeriodMs =
        static_cast<int>(settings.getInt("motion.quiet-period", 10, 1, 3600)) * 1000;
    c.recording.enabled = settings.getBool("recording.enabled", c.recording.enabled);
    c.recording.preRollSeconds =
        static_cast<int>(settings.getInt("recording.pre-roll", c.recording.preRollSeconds, 0, 30));
    c.recording.postRollSeconds = static_cast<int>(
        settings.getInt("recording.post-roll", c.recording.postRollSeconds, 0, 300));
    c.recording.budgetMb = static_cast<std::uint64_t>(
        settings.getInt("recording.budget-mb", static_cast<long long>(c.recording.budgetMb), 1,
                        10'000'000));
    c.recording.maxAgeDays = static_cast<int>(
        settings.getInt("recording.max-age-days", c.recording.maxAgeDays, 0, 36500));
    c.testScene.motion = settings.getString("test-motion", c.testScene.motion);
    try {
      parseMotionSchedule(c.testScene.motion);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(std::string("'test-motion': ") + e.what());
    }
    c.testScene.noise = static_cast<int>(settings.getInt("test-noise", c.testScene.noise, 0, 64));
    c.testScene.scroll =
        static_cast<int>(settings.getInt("test-scroll", c.testScene.scroll, 0, 64));

    if (c.server.rfind("ws://", 0) != 0 && c.server.rfind("wss://", 0) != 0) {
      throw ConfigError("'server' must be a ws:// or wss:// URL (got '" + c.server + "')");
    }
    if (!identity::isValidCameraId(c.cameraId)) {
      throw ConfigError("'camera-id' is missing or not a valid camera ID");
    }
    auto key = crypto::fromHex(c.deviceKeyHex);
    if (!key || key->size() != identity::kDeviceKeySize) {
      throw ConfigError("'device-key' must be 64 hex digits");
    }
    if (c.width % 2 || c.height % 2) throw ConfigError("'width' and 'height' must be even");
    return {c, "", 0};
  } catch (const ConfigError& e) {
    return {std::nullopt, std::string("seccam-camera: ") + e.what(), 2};
  }
}

}  // namespace seccam::camera
