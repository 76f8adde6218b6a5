// seccam-camera: reads its settings, starts the agent and runs until SIGINT/SIGTERM.
#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <malloc.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "camera/agent_events.hpp"
#include "camera/camera_agent.hpp"
#include "camera/camera_config.hpp"
#include "camera/pipeline/source_spec.hpp"
#include "common/crypto.hpp"
#include "common/log_format.hpp"

namespace {
// A clean shutdown closes the WebSocket politely; past this, stop waiting for the server.
constexpr auto kShutdownGrace = std::chrono::seconds(2);
}  // namespace

int main(int argc, char** argv) {
  // One malloc arena. Every viewer brings webrtcbin's threads, and glibc gives threads arenas
  // of their own that keep what they once held: with viewers coming and going the camera's
  // memory climbed 254 MiB/h (55 → 93 MiB in 4 minutes of the soak benchmark), with one arena
  // 6 MiB/h (55 → 62 MiB) at the same frame rate and latency (docs/PERFORMANCE.md §6).
  // MALLOC_ARENA_MAX in the environment still decides when it is set.
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 1);
  auto loaded = seccam::camera::loadCameraConfig(argc, argv);
  if (!loaded.config) {
    (loaded.exitCode == 0 ? std::cout : std::cerr) << loaded.message << "\n";
    return loaded.exitCode;
  }
  auto config = *loaded.config;
  try {
    seccam::camera::parseSourceSpec(config.source);
  } catch (const std::invalid_argument& e) {
    std::cerr << "seccam-camera: " << e.what() << "\n";
    return 2;
  }
  try {
    seccam::camera::event_log::open(config.eventLog);
  } catch (const std::runtime_error& e) {
    std::cerr << "seccam-camera: " << e.what() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config.logLevel));
  seccam::logging::useEscapingFormat("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %*");
  seccam::crypto::initialize();
  gst_init(&argc, &argv);

  spdlog::info(
      "seccam-camera {} starting: source {}, {}x{} at {} fps, {} kbit/s, encoder {}, "
      "max {} viewers{}",
      config.cameraId, config.source, config.width, config.height, config.fps, config.bitrateKbps,
      seccam::camera::encoderName(config.encoder), config.maxViewers,
      config.latencyProbe ? ", latency probe on" : "");
  boost::asio::io_context io;
  {
    // Declared before the agent so that it outlives it: a second SIGTERM arriving while the
    // pipelines stop must not find the default (killing) action back in place.
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer graceTimer(io);
    seccam::camera::CameraAgent agent(io, config);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      spdlog::info("signal {} received", signal);
      agent.shutdown([&] { io.stop(); });
      graceTimer.expires_after(kShutdownGrace);
      graceTimer.async_wait([&](const boost::system::error_code& e) {
        if (!e) io.stop();
      });
    });
    try {
      agent.start();
    } catch (const std::exception& e) {
      spdlog::error("cannot start: {}", e.what());
      return 1;
    }
    io.run();
  }
  std::signal(SIGINT, SIG_IGN);  // already stopping: late repeats are not a crash
  std::signal(SIGTERM, SIG_IGN);
  spdlog::info("stopped");
  seccam::camera::event_log::emit(seccam::camera::event_log::Kind::Stopped);
  return 0;
}
