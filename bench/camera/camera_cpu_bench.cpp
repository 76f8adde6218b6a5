// camera_cpu_bench: the camera agent's CPU use (percent of one core, from /proc/<pid>/stat)
// at 1280x720 and 30 fps with 0, 1, 4 and 8 real WebRTC receivers, and the time from offer
// to answer for the first viewer after start and for later ones (from the camera's log).
// Runs as root (it creates a network namespace). Usage: camera_cpu_bench [seconds per step]
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "camera_world.hpp"

using namespace seccam::test;

namespace {
constexpr int kViewerSteps[] = {1, 4, 8};

// utime + stime of a process, in seconds.
double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double cpuPercentOver(pid_t pid, int seconds) {
  double before = cpuSeconds(pid);
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return 100.0 * (cpuSeconds(pid) - before) / wall;
}

std::vector<int> answerTimes(const std::string& log) {
  std::vector<int> out;
  std::regex pattern("answered in ([0-9]+) ms");
  for (std::sregex_iterator it(log.begin(), log.end(), pattern), end; it != end; ++it) {
    out.push_back(std::stoi((*it)[1]));
  }
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  CameraWorld world;
  auto camera =
      world.startCamera({"--width", "1280", "--height", "720", "--fps", "30", "--bitrate", "2000"});
  if (!world.waitAuthenticated(camera)) {
    std::fprintf(stderr, "camera did not come online:\n%s\n", camera.log().c_str());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // settle after start-up
  std::printf("camera 1280x720 at 30 fps, x264, %d s per step\n", seconds);
  std::printf("viewers  camera CPU (%% of one core)\n");
  std::printf("%7d  %6.1f\n", 0, cpuPercentOver(camera.pid(), seconds));
  std::fflush(stdout);

  std::vector<ChildProcess> viewers;
  for (int target : kViewerSteps) {
    while (static_cast<int>(viewers.size()) < target) {
      viewers.push_back(
          world.startViewer({"--no-decode"}, "viewer" + std::to_string(viewers.size())));
      // One at a time, so that every offer-to-answer time is measured alone.
      if (!waitFor([&] { return viewers.back().log().find("packets ") != std::string::npos; },
                   std::chrono::seconds(30))) {
        std::fprintf(stderr, "viewer got nothing:\n%s\n%s\n", viewers.back().log().c_str(),
                     camera.log().c_str());
        return 1;
      }
    }
    std::printf("%7d  %6.1f\n", target, cpuPercentOver(camera.pid(), seconds));
    std::fflush(stdout);
  }
  auto times = answerTimes(camera.log());
  std::printf("offer to answer (ms): first viewer after start %d; later:",
              times.empty() ? -1 : times[0]);
  for (std::size_t i = 1; i < times.size(); ++i) std::printf(" %d", times[i]);
  std::printf("\n");
  return 0;
}
