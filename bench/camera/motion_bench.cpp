// motion_bench: what motion detection and clips cost the camera agent at 1280x720 and 30 fps
// over live view: a real camera with one real WebRTC receiver (the full encoder running, as
// for any live view), measured with motion off, with motion detection on (no clips), with
// motion and clips (5 s pre-roll kept in memory) on a still scene, and with the test source's
// block moving (an event and its clip written during the window). CPU in % of one core
// (utime+stime from /proc/<pid>/stat), for the whole process and for each branch's own
// streaming thread (the motion branch does its scaling and the detector on its thread), and
// memory as VmRSS at the end of each window.
// Runs as root (it creates a network namespace).
// Usage: motion_bench [seconds per step] [--json FILE]
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "camera_world.hpp"
#include "process_stats.hpp"

using namespace seccam::test;
using namespace seccam::bench;

namespace {
constexpr auto kSettle = std::chrono::seconds(3);
constexpr auto kViewerStartTimeout = std::chrono::seconds(30);
using Clock = std::chrono::steady_clock;

int framesReceived(const std::string& log) {
  int best = 0;
  for (const auto& line : linesStartingWith(log, "depayloaded ")) {
    best = std::max(best, std::atoi(line.c_str() + 12));
  }
  return best;
}

struct Config {
  const char* name;
  std::vector<std::string> args;
};

struct Result {
  std::string name;
  double cpuPercent = 0;
  double motionPercent = 0;  // the motion branch's thread
  double stillPercent = 0;   // the still's branch
  double clipsPercent = 0;   // the ring of encoded frames and feeding the clip writers
  double writerPercent = 0;  // the clip writers' own thread (h264parse, mp4mux, filesink)
  double rss = 0;
  double fps = 0;
  std::size_t events = 0;
  std::size_t clips = 0;
};
}  // namespace

int main(int argc, char** argv) {
  int seconds = 20;
  std::string jsonPath;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      jsonPath = argv[++i];
    } else {
      char* end = nullptr;
      long value = std::strtol(argv[i], &end, 10);
      if (*argv[i] == '\0' || *end != '\0' || value <= 0 || value > 3600) {
        std::fprintf(stderr, "usage: %s [seconds per step, default 20] [--json FILE]\n", argv[0]);
        return 2;
      }
      seconds = static_cast<int>(value);
    }
  }
  // The moving step: an event starts 2 s into the window, lasts 3 s, its clip ends 5 s later.
  std::string moving =
      "still:" + std::to_string(std::chrono::seconds(kSettle).count() + 2) + ",move:3,still:3600";
  const Config configs[] = {
      {"motion off (live view only)", {"--motion-enabled", "false"}},
      {"motion on, no clips", {"--recording-enabled", "false", "--test-motion", "none"}},
      {"motion and clips, still scene", {"--test-motion", "none"}},
      // A quiet period longer than the window: the clip is still being written at its end,
      // so its writer's thread is there to be read.
      {"motion and clips, block moving", {"--test-motion", moving, "--motion-quiet-period", "60"}},
  };
  CameraWorld world;
  std::printf(
      "camera 1280x720 at 30 fps, x264 2000 kbit/s, 1 receiver, pre-roll 5 s, %d s per "
      "step\n",
      seconds);
  std::printf("%-32s  CPU %%/core  motion  still  clips  writer  RSS MiB  fps   events  clips\n",
              "");
  std::vector<Result> results;
  int n = 0;
  for (const auto& config : configs) {
    std::vector<std::string> args{
        "--width",      "1280", "--height",  "720",
        "--fps",        "30",   "--bitrate", "2000",
        "--test-noise", "2",    "--data",    world.dir() + "/data-" + std::to_string(n)};
    args.insert(args.end(), config.args.begin(), config.args.end());
    auto camera = world.startCamera(args, "camera" + std::to_string(n));
    if (!world.waitAuthenticated(camera)) {
      std::fprintf(stderr, "camera did not come online:\n%s\n", camera.log().c_str());
      return 1;
    }
    auto viewer = world.startViewer({"--no-decode"}, "viewer" + std::to_string(n));
    if (!waitFor([&] { return framesReceived(viewer.log()) > 0; }, kViewerStartTimeout)) {
      std::fprintf(stderr, "viewer got nothing:\n%s\n%s\n", viewer.log().c_str(),
                   camera.log().c_str());
      return 1;
    }
    std::this_thread::sleep_for(kSettle);
    int framesBefore = framesReceived(viewer.log());
    double cpuBefore = toSeconds(processCpuNanos(camera.pid()));
    double motionBefore = toSeconds(threadCpuNanos(camera.pid(), "motion:src"));
    double stillBefore = toSeconds(threadCpuNanos(camera.pid(), "still:src"));
    double clipsBefore = toSeconds(threadCpuNanos(camera.pid(), "clips:src"));
    double writerBefore = toSeconds(threadCpuNanos(camera.pid(), "src:src"));
    auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    double cpuAfter = toSeconds(processCpuNanos(camera.pid()));
    double motionAfter = toSeconds(threadCpuNanos(camera.pid(), "motion:src"));
    double stillAfter = toSeconds(threadCpuNanos(camera.pid(), "still:src"));
    double clipsAfter = toSeconds(threadCpuNanos(camera.pid(), "clips:src"));
    double writerAfter = toSeconds(threadCpuNanos(camera.pid(), "src:src"));
    double wall = std::chrono::duration<double>(Clock::now() - start).count();
    Result r;
    r.name = config.name;
    r.cpuPercent = 100.0 * (cpuAfter - cpuBefore) / wall;
    r.motionPercent = 100.0 * (motionAfter - motionBefore) / wall;
    r.stillPercent = 100.0 * (stillAfter - stillBefore) / wall;
    r.clipsPercent = 100.0 * (clipsAfter - clipsBefore) / wall;
    // A writer's thread ends with its clip: what it used is gone from /proc then, so this
    // counts only writers still running at the end of the window (the window ends before).
    r.writerPercent = 100.0 * (writerAfter - writerBefore) / wall;
    r.rss = toMebibytes(processRssBytes(camera.pid()));
    r.fps = (framesReceived(viewer.log()) - framesBefore) / wall;
    r.events = cameraEvents(camera, "motion_started").size();
    r.clips = cameraEvents(camera, "clip_saved").size();
    std::printf("%-32s  %10.1f  %6.2f  %5.2f  %5.2f  %6.2f  %7.1f  %4.1f  %6zu  %5zu\n",
                r.name.c_str(), r.cpuPercent, r.motionPercent, r.stillPercent, r.clipsPercent,
                r.writerPercent, r.rss, r.fps, r.events, r.clips);
    std::fflush(stdout);
    results.push_back(r);
    viewer.stop(SIGTERM);
    bool alive = camera.running();
    camera.stop(SIGTERM);
    if (!alive) {
      std::fprintf(stderr, "camera died:\n%s\n", camera.log().c_str());
      return 1;
    }
    ++n;
  }
  if (!jsonPath.empty()) {
    std::ofstream out(jsonPath);
    out << "{\n  \"width\": 1280, \"height\": 720, \"fps\": 30, \"bitrate_kbps\": 2000,\n"
        << "  \"seconds_per_step\": " << seconds << ",\n  \"steps\": [\n";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      out << "    {\"name\": \"" << r.name << "\", \"cpu_percent_of_one_core\": " << r.cpuPercent
          << ", \"motion_thread_percent\": " << r.motionPercent
          << ", \"still_thread_percent\": " << r.stillPercent
          << ", \"clips_thread_percent\": " << r.clipsPercent
          << ", \"writer_thread_percent\": " << r.writerPercent << ", \"rss_mib\": " << r.rss
          << ", \"viewer_fps\": " << r.fps << ", \"events\": " << r.events
          << ", \"clips\": " << r.clips << "}" << (i + 1 < results.size() ? "," : "") << "\n";
    }
    out << "  ]\n}\n";
  }
  return 0;
}
