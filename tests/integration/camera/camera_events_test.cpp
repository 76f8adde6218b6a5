// Motion events and clips on the camera: the test source's scripted motion (still and moving
// periods, sensor-like noise) through the real camera's detector to its structured events,
// the clip it writes (a valid MP4 whose first frame's capture stamp shows the pre-roll) and
// the retention of the clips folder.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "camera/pipeline/latency_stamp.hpp"
#include "camera_world.hpp"

namespace seccam::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr int kWidth = 320;
constexpr int kHeight = 240;

std::int64_t at(const CameraEvent& e) { return e["at"].get<std::int64_t>(); }

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The capture stamps (PROTOCOL.md latency probe) of every frame of an MP4, decoded by
// GStreamer's own demuxer and decoder: empty when it does not parse.
std::vector<std::uint64_t> clipStamps(const fs::path& clip, const fs::path& scratch) {
  auto result = runProgram({"/usr/bin/gst-launch-1.0", "-q", "filesrc", "location=" + clip.string(), "!",
                            "qtdemux", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert",
                            "!", "video/x-raw,format=GRAY8", "!", "filesink",
                            "location=" + scratch.string()});
  std::vector<std::uint64_t> stamps;
  if (result.exitCode != 0) {
    ADD_FAILURE() << "gst-launch-1.0 could not decode " << clip << ": " << result.output;
    return stamps;
  }
  std::string frames = readFile(scratch);
  std::size_t frameBytes = static_cast<std::size_t>(kWidth) * kHeight;
  for (std::size_t off = 0; off + frameBytes <= frames.size(); off += frameBytes) {
    auto stamp = camera::readLatencyStamp(
        reinterpret_cast<const std::uint8_t*>(frames.data() + off), kWidth, kWidth, kHeight);
    if (stamp) stamps.push_back(*stamp);
  }
  if (stamps.empty()) ADD_FAILURE() << frames.size() << " bytes of frames, no stamp read";
  return stamps;
}

// The camera for these tests: scripted motion, short quiet period, capture stamps in the
// picture (outside the motion zone, like the clock: the stamp's bits change every frame, the
// clock's digits every second, and both are large at 320x240).
std::vector<std::string> cameraArgs(const std::string& data, const std::string& schedule,
                                    std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--data",
                                data,
                                "--test-motion",
                                schedule,
                                "--motion-quiet-period",
                                "1",
                                "--motion-zones",
                                "320x168+0+32",
                                "--latency-probe",
                                "--bitrate",
                                "1000"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(CameraEvents, MotionStartsAnEventWithinASecondItsClipHasThePreRollAndItEndsAfterQuiet) {
  CameraWorld world;
  std::string data = world.dir() + "/camera-data";
  auto camera = world.startCamera(cameraArgs(
      data, "still:4,move:3,still:600",
      {"--test-noise", "8", "--recording-pre-roll", "2", "--recording-post-roll", "1"}));
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  ASSERT_TRUE(waitEvents(camera, "source_started")) << show(camera);
  // The scene's clock starts with the source's first frame.
  std::int64_t motionFrom = at(cameraEvents(camera, "source_started")[0]) + 4000;

  ASSERT_TRUE(waitEvents(camera, "motion_started", 1, {}, seconds(15))) << show(camera);
  auto started = cameraEvents(camera, "motion_started")[0];
  std::int64_t start = started["start"].get<std::int64_t>();
  EXPECT_GE(start, motionFrom - 200) << started.dump();  // nothing moved before
  EXPECT_LE(at(started), motionFrom + 1000) << started.dump();  // reported within a second

  ASSERT_TRUE(waitEvents(camera, "motion_ended", 1, {}, seconds(10))) << show(camera);
  auto ended = cameraEvents(camera, "motion_ended")[0];
  EXPECT_EQ(ended["id"], started["id"]);
  std::int64_t end = ended["end"].get<std::int64_t>();
  EXPECT_NEAR(static_cast<double>(end - start), 3000.0, 600.0) << ended.dump();
  // Ended once a second (the quiet period) had passed without motion.
  EXPECT_GE(at(ended) - end, 950) << ended.dump();
  EXPECT_LE(at(ended) - end, 1700) << ended.dump();

  // The clip: a valid MP4 (index in front), its still, and the pre-roll in its first frame.
  ASSERT_TRUE(waitEvents(camera, "clip_saved", 1, {}, seconds(15))) << show(camera);
  auto saved = cameraEvents(camera, "clip_saved")[0];
  EXPECT_EQ(saved["id"], started["id"]);
  fs::path clip = fs::path(data) / "clips" / (started["id"].get<std::string>() + ".mp4");
  ASSERT_EQ(saved["path"], clip.string());
  std::string bytes = readFile(clip);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(4, 4), "ftyp");
  EXPECT_LT(bytes.find("moov"), bytes.find("mdat"));
  std::string still = readFile(fs::path(data) / "clips" / (started["id"].get<std::string>() + ".jpg"));
  ASSERT_GT(still.size(), 100u);
  EXPECT_EQ(static_cast<unsigned char>(still[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(still[1]), 0xD8);

  auto stamps = clipStamps(clip, fs::path(world.dir()) / "frames.gray");
  ASSERT_GT(stamps.size(), 30u) << "the clip does not decode";
  auto first = static_cast<std::int64_t>(stamps.front());
  auto last = static_cast<std::int64_t>(stamps.back());
  // From the key frame at or before start - pre-roll (a key frame every 2 s at most).
  EXPECT_LE(first, start - 2000 + 150) << "first frame " << first << ", start " << start;
  EXPECT_GE(first, start - 2000 - 2000 - 1600) << "first frame " << first << ", start " << start;
  // And on past the last motion by the post-roll (and the quiet period, here as long).
  EXPECT_GE(last, end + 1000 - 300) << "last frame " << last << ", end " << end;
  EXPECT_LE(last, end + 1000 + 1000) << "last frame " << last << ", end " << end;

  // The server took both messages without an error.
  EXPECT_TRUE(cameraEvents(camera, "server_error").empty()) << show(camera);
}

TEST(CameraEvents, AStillNoisyPictureMakesNoEventUntilSomethingMoves) {
  CameraWorld world;
  auto camera = world.startCamera(cameraArgs(world.dir() + "/camera-data",
                                             "still:8,move:2,still:600", {"--test-noise", "16"}));
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  ASSERT_TRUE(waitEvents(camera, "source_started")) << show(camera);
  std::int64_t motionFrom = at(cameraEvents(camera, "source_started")[0]) + 8000;
  ASSERT_TRUE(waitEvents(camera, "motion_started", 1, {}, seconds(20))) << show(camera);
  auto started = cameraEvents(camera, "motion_started");
  // Eight seconds of noise made nothing; the block moving did, within a second.
  EXPECT_EQ(started.size(), 1u) << show(camera);
  EXPECT_GE(started[0]["start"].get<std::int64_t>(), motionFrom - 200) << show(camera);
  EXPECT_LE(at(started[0]), motionFrom + 1000) << started[0].dump();
}

TEST(CameraEvents, RetentionRemovesTheOldestClipsAtTheBudget) {
  CameraWorld world;
  std::string data = world.dir() + "/camera-data";
  fs::create_directories(fs::path(data) / "clips");
  // Two older clips of 900 KB each: with a 1 MiB budget the oldest goes at start, the other
  // once the new clip is saved.
  for (const char* id : {"20200101-000000-000", "20200102-000000-000"}) {
    std::ofstream(fs::path(data) / "clips" / (std::string(id) + ".mp4"), std::ios::binary)
        << std::string(900'000, 'x');
  }
  std::ofstream(fs::path(data) / "clips" / "20200101-000000-000.jpg") << "still";
  // A clip a camera that stopped hard never finished: it cannot play, so it goes at start.
  std::ofstream(fs::path(data) / "clips" / "20200103-000000-000.mp4.part") << "half a clip";
  auto camera = world.startCamera(cameraArgs(
      data, "still:3,move:2,still:600",
      {"--recording-budget-mb", "1", "--recording-max-age-days", "0", "--recording-pre-roll",
       "1", "--recording-post-roll", "1"}));
  ASSERT_TRUE(world.waitAuthenticated(camera)) << show(camera);
  ASSERT_TRUE(waitEvents(camera, "clip_saved", 1, {}, seconds(25))) << show(camera);
  ASSERT_TRUE(waitEvents(camera, "clip_deleted", 2)) << show(camera);
  auto deleted = cameraEvents(camera, "clip_deleted");
  ASSERT_EQ(deleted.size(), 2u) << show(camera);
  EXPECT_EQ(deleted[0]["id"], "20200101-000000-000");
  EXPECT_EQ(deleted[1]["id"], "20200102-000000-000");
  EXPECT_FALSE(fs::exists(fs::path(data) / "clips" / "20200101-000000-000.mp4"));
  EXPECT_FALSE(fs::exists(fs::path(data) / "clips" / "20200101-000000-000.jpg"));
  EXPECT_FALSE(fs::exists(fs::path(data) / "clips" / "20200102-000000-000.mp4"));
  EXPECT_FALSE(fs::exists(fs::path(data) / "clips" / "20200103-000000-000.mp4.part"));
  auto saved = cameraEvents(camera, "clip_saved")[0];
  EXPECT_TRUE(fs::exists(saved["path"].get<std::string>())) << saved.dump();
}

}  // namespace
}  // namespace seccam::test
