// camera_cpu_bench: the cost of each viewer for the camera agent at 1280x720 and 30 fps with
// 0, 1, 2, 4, 8 and 16 real WebRTC receivers: its CPU (percent of one core, /proc/<pid>/stat),
// its memory (VmRSS) at every step and after the receivers left, again after join/leave
// cycles, and every receiver's frame rate; plus the offer-to-answer times from its log.
// Runs as root (it creates a network namespace).
// Usage: camera_cpu_bench [seconds per step] [--json FILE]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "camera_world.hpp"
#include "process_stats.hpp"

using namespace seccam::test;
using namespace seccam::bench;

namespace {
constexpr int kViewerSteps[] = {1, 2, 4, 8, 16};
constexpr int kMaxViewers = 16;
// Join/leave cycles after the steps: is the agent's memory flat while viewers come and go?
constexpr int kChurnCycles = 3;
constexpr int kChurnViewers = 8;
constexpr auto kSettle = std::chrono::seconds(2);
constexpr auto kViewerStartTimeout = std::chrono::seconds(30);

using Clock = std::chrono::steady_clock;

// The highest "depayloaded N" a --no-decode viewer printed.
int framesReceived(const std::string& log) {
  int best = 0;
  for (const auto& line : linesStartingWith(log, "depayloaded ")) {
    best = std::max(best, std::atoi(line.c_str() + 12));
  }
  return best;
}

std::vector<int> answerTimes(const std::string& log) {
  std::vector<int> out;
  std::regex pattern("answered in ([0-9]+) ms");
  for (std::sregex_iterator it(log.begin(), log.end(), pattern), end; it != end; ++it) {
    out.push_back(std::stoi((*it)[1]));
  }
  return out;
}

struct Step {
  int viewers = 0;
  double cpuPercent = 0;
  double rss = 0;
  std::vector<double> fps;
};

struct Bench {
  CameraWorld& world;
  ChildProcess& camera;
  int seconds;
  std::vector<ChildProcess> viewers;
  int started = 0;

  bool addViewer() {
    viewers.push_back(world.startViewer({"--no-decode"}, "viewer" + std::to_string(started++)));
    // One at a time, so that every offer-to-answer time is measured alone.
    if (waitFor([&] { return framesReceived(viewers.back().log()) > 0; }, kViewerStartTimeout))
      return true;
    std::fprintf(stderr, "viewer got nothing:\n%s\n%s\n", viewers.back().log().c_str(),
                 camera.log().c_str());
    return false;
  }

  // Closes every viewer's connection and waits until the camera let all its sessions go.
  bool removeAllViewers() {
    int leftBefore = countOccurrences(camera.log(), "viewer left");
    int leaving = static_cast<int>(viewers.size());
    for (auto& v : viewers) v.stop(SIGTERM);
    viewers.clear();
    return waitFor(
        [&] { return countOccurrences(camera.log(), "viewer left") >= leftBefore + leaving; },
        kViewerStartTimeout);
  }

  Step measure() {
    Step step;
    step.viewers = static_cast<int>(viewers.size());
    std::this_thread::sleep_for(kSettle);
    std::vector<int> framesBefore;
    for (auto& v : viewers) framesBefore.push_back(framesReceived(v.log()));
    double cpuBefore = toSeconds(processCpuNanos(camera.pid()));
    auto start = Clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    double cpuAfter = toSeconds(processCpuNanos(camera.pid()));
    auto end = Clock::now();
    for (std::size_t i = 0; i < viewers.size(); ++i) {
      // Read right after the window; the reports come every few frames.
      step.fps.push_back(framesReceived(viewers[i].log()) - framesBefore[i]);
    }
    double wall = std::chrono::duration<double>(end - start).count();
    for (auto& f : step.fps) f /= wall;
    step.cpuPercent = 100.0 * (cpuAfter - cpuBefore) / wall;
    step.rss = toMebibytes(processRssBytes(camera.pid()));
    return step;
  }
};

void printStep(const Step& s) {
  double minFps = s.fps.empty() ? 0 : *std::min_element(s.fps.begin(), s.fps.end());
  double sum = 0;
  for (double f : s.fps) sum += f;
  double meanFps = s.fps.empty() ? 0 : sum / static_cast<double>(s.fps.size());
  std::printf("%7d  %10.1f  %8.1f  %7.1f  %8.1f\n", s.viewers, s.cpuPercent, s.rss, minFps,
              meanFps);
  std::fflush(stdout);
}

std::string numbersJson(const std::vector<double>& fps) {
  std::string out = "[";
  for (std::size_t i = 0; i < fps.size(); ++i) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%s%.2f", i ? ", " : "", fps[i]);
    out += buffer;
  }
  return out + "]";
}
}  // namespace

int main(int argc, char** argv) {
  int seconds = 10;
  std::string jsonPath;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      jsonPath = argv[++i];
    } else {
      char* end = nullptr;
      long value = std::strtol(argv[i], &end, 10);
      if (*argv[i] == '\0' || *end != '\0' || value <= 0 || value > 3600) {
        std::fprintf(stderr, "usage: %s [seconds per step, default 10] [--json FILE]\n", argv[0]);
        return 2;
      }
      seconds = static_cast<int>(value);
    }
  }
  CameraWorld world;
  // Motion clips off: they keep the encoder running with no viewer (motion_bench has them).
  auto camera = world.startCamera({"--width", "1280", "--height", "720", "--fps", "30", "--bitrate",
                                   "2000", "--max-viewers", std::to_string(kMaxViewers),
                                   "--motion-enabled", "false", "--test-scroll", "2"});
  if (!world.waitAuthenticated(camera)) {
    std::fprintf(stderr, "camera did not come online:\n%s\n", camera.log().c_str());
    return 1;
  }
  Bench bench{world, camera, seconds, {}, 0};
  std::printf("camera 1280x720 at 30 fps, x264 2000 kbit/s, %d s per step\n", seconds);
  std::printf("viewers  CPU %%/core  RSS MiB  min fps  mean fps\n");
  std::vector<Step> steps;
  steps.push_back(bench.measure());
  printStep(steps.back());
  for (int target : kViewerSteps) {
    while (static_cast<int>(bench.viewers.size()) < target) {
      if (!bench.addViewer()) return 1;
    }
    steps.push_back(bench.measure());
    printStep(steps.back());
  }

  // Memory while viewers come and go: after all left, then after each join/leave cycle.
  std::vector<double> rssAfterLeaving;
  if (!bench.removeAllViewers()) return 1;
  std::this_thread::sleep_for(kSettle);
  rssAfterLeaving.push_back(toMebibytes(processRssBytes(camera.pid())));
  for (int cycle = 0; cycle < kChurnCycles; ++cycle) {
    while (static_cast<int>(bench.viewers.size()) < kChurnViewers) {
      if (!bench.addViewer()) return 1;
    }
    if (!bench.removeAllViewers()) return 1;
    std::this_thread::sleep_for(kSettle);
    rssAfterLeaving.push_back(toMebibytes(processRssBytes(camera.pid())));
  }
  std::printf(
      "RSS MiB with no viewers: after the 16 left %.1f; after each cycle of %d joining "
      "and leaving:",
      rssAfterLeaving[0], kChurnViewers);
  for (std::size_t i = 1; i < rssAfterLeaving.size(); ++i) std::printf(" %.1f", rssAfterLeaving[i]);
  std::printf("\n");

  auto times = answerTimes(camera.log());
  std::printf("offer to answer (ms): first viewer after start %d; later:",
              times.empty() ? -1 : times[0]);
  for (std::size_t i = 1; i < times.size(); ++i) std::printf(" %d", times[i]);
  std::printf("\ncamera still running: %s\n", camera.running() ? "yes" : "NO");

  if (!jsonPath.empty()) {
    std::ofstream out(jsonPath);
    out << "{\n  \"width\": 1280, \"height\": 720, \"fps\": 30, \"bitrate_kbps\": 2000,\n"
        << "  \"seconds_per_step\": " << seconds << ",\n  \"steps\": [\n";
    for (std::size_t i = 0; i < steps.size(); ++i) {
      out << "    {\"viewers\": " << steps[i].viewers
          << ", \"cpu_percent_of_one_core\": " << steps[i].cpuPercent
          << ", \"rss_mib\": " << steps[i].rss << ", \"viewer_fps\": " << numbersJson(steps[i].fps)
          << "}" << (i + 1 < steps.size() ? "," : "") << "\n";
    }
    out << "  ],\n  \"rss_mib_after_leaving\": " << numbersJson(rssAfterLeaving)
        << ",\n  \"churn_viewers_per_cycle\": " << kChurnViewers << ",\n  \"answer_ms\": [";
    for (std::size_t i = 0; i < times.size(); ++i) out << (i ? ", " : "") << times[i];
    out << "]\n}\n";
  }
  return camera.running() ? 0 : 1;
}
