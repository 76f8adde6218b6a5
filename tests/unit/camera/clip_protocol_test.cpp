// The clip channel's requests: parsing, strict IDs (no way out of the clips folder), the
// listing of a real folder and the duration in a real MP4 header.
#include "camera/clips/clip_protocol.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace seccam::camera::clips {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

ClipRequest ok(std::string_view text) {
  auto parsed = parseRequest(text);
  EXPECT_TRUE(std::holds_alternative<ClipRequest>(parsed)) << text;
  return std::holds_alternative<ClipRequest>(parsed) ? std::get<ClipRequest>(parsed) : ClipRequest{};
}

RequestError refused(std::string_view text) {
  auto parsed = parseRequest(text);
  EXPECT_TRUE(std::holds_alternative<RequestError>(parsed)) << text;
  return std::holds_alternative<RequestError>(parsed) ? std::get<RequestError>(parsed) : RequestError{};
}

TEST(ClipProtocolTest, IdsAreLettersDigitsDashAndUnderscoreOnly) {
  EXPECT_TRUE(validClipId("20261201-030405-678"));
  EXPECT_TRUE(validClipId("a_B-9"));
  EXPECT_TRUE(validClipId(std::string(64, 'x')));
  EXPECT_FALSE(validClipId(""));
  EXPECT_FALSE(validClipId(std::string(65, 'x')));
  for (const char* bad : {"..", "../x", "a/b", "a\\b", "/etc/passwd", "x.mp4", "a b", "é",
                          "a\nb", "%2e%2e"})
    EXPECT_FALSE(validClipId(bad)) << bad;
  EXPECT_FALSE(validClipId(std::string("a\0b", 3)));
}

TEST(ClipProtocolTest, AFileIsOnlyEverInsideTheFolder) {
  EXPECT_EQ(clipFile("/data/clips", "20261201-030405-678", ".mp4"),
            fs::path("/data/clips/20261201-030405-678.mp4"));
  EXPECT_FALSE(clipFile("/data/clips", "../../etc/passwd", ".mp4"));
  EXPECT_FALSE(clipFile("/data/clips", "/etc/passwd", ".jpg"));
}

TEST(ClipProtocolTest, RequestsParse) {
  auto list = ok(R"({"type":"list","req":1,"from":1000,"to":2000})");
  EXPECT_EQ(list.kind, RequestKind::List);
  EXPECT_EQ(list.req, 1);
  EXPECT_EQ(list.fromMs, 1000);
  EXPECT_EQ(list.toMs, 2000);
  auto all = ok(R"({"type":"list","req":0})");
  EXPECT_FALSE(all.fromMs);
  EXPECT_FALSE(all.toMs);
  auto still = ok(R"({"type":"still","req":7,"id":"20261201-030405-678"})");
  EXPECT_EQ(still.kind, RequestKind::Still);
  EXPECT_EQ(still.id, "20261201-030405-678");
  auto clip = ok(R"({"type":"clip","req":8,"id":"x","offset":65536,"length":1024})");
  EXPECT_EQ(clip.kind, RequestKind::Clip);
  EXPECT_EQ(clip.offset, 65536u);
  EXPECT_EQ(clip.length, 1024u);
  auto whole = ok(R"({"type":"clip","req":9,"id":"x"})");
  EXPECT_EQ(whole.offset, 0u);
  EXPECT_FALSE(whole.length);
}

TEST(ClipProtocolTest, BadRequestsAreRefusedWithTheirNumber) {
  EXPECT_EQ(refused("not json").code, "bad-request");
  EXPECT_EQ(refused("[1,2]").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"list"})").code, "bad-request");  // no req
  EXPECT_EQ(refused(R"({"type":"list","req":-1})").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"list","req":"1"})").code, "bad-request");
  auto unknown = refused(R"({"type":"delete","req":4,"id":"x"})");
  EXPECT_EQ(unknown.code, "bad-request");
  EXPECT_EQ(unknown.req, 4);
  auto traversal = refused(R"({"type":"clip","req":5,"id":"../../etc/passwd"})");
  EXPECT_EQ(traversal.code, "bad-request");
  EXPECT_EQ(traversal.req, 5);
  EXPECT_EQ(refused(R"({"type":"still","req":5})").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"still","req":5,"id":7})").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"clip","req":5,"id":"x","offset":-1})").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"clip","req":5,"id":"x","length":1.5})").code, "bad-request");
  EXPECT_EQ(refused(R"({"type":"list","req":5,"from":"today"})").code, "bad-request");
  std::string huge = R"({"type":"list","req":1,"pad":")" + std::string(kMaxRequestBytes, 'x') + "\"}";
  EXPECT_EQ(refused(huge).code, "bad-request");
}

TEST(ClipProtocolTest, EventIdsGiveTheirStart) {
  EXPECT_EQ(startOfEventId("20261201-030405-678"), 1796094245678);
  EXPECT_FALSE(startOfEventId("20261201-030405-67"));
  EXPECT_FALSE(startOfEventId("20261201-030405-678x"));
  EXPECT_FALSE(startOfEventId("clip"));
}

// A box: size, type, payload.
std::string box(const char* type, const std::string& payload) {
  std::uint32_t size = static_cast<std::uint32_t>(8 + payload.size());
  std::string out{static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                  static_cast<char>(size >> 8), static_cast<char>(size)};
  return out + std::string(type, 4) + payload;
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// mvhd version 0: version/flags, creation, modification, timescale, duration, then the rest.
std::string mvhd0(std::uint32_t timescale, std::uint32_t duration) {
  return box("mvhd", be32(0) + be32(0) + be32(0) + be32(timescale) + be32(duration) +
                         std::string(80, '\0'));
}

std::string mvhd1(std::uint32_t timescale, std::uint64_t duration) {
  return box("mvhd", be32(0x01000000) + std::string(16, '\0') + be32(timescale) +
                         be32(static_cast<std::uint32_t>(duration >> 32)) +
                         be32(static_cast<std::uint32_t>(duration)) + std::string(80, '\0'));
}

class ClipFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/seccam-clips-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  }
  fs::path dir;
};

TEST_F(ClipFolderTest, DurationComesFromTheMovieHeader) {
  write("a.mp4", box("ftyp", "isom") + box("moov", box("trak", "") + mvhd0(1000, 5552)) +
                     box("mdat", "xxxx"));
  EXPECT_EQ(mp4DurationMs(dir / "a.mp4"), 5552);
  write("b.mp4", box("ftyp", "isom") + box("moov", mvhd1(90000, 90000ull * 7)));
  EXPECT_EQ(mp4DurationMs(dir / "b.mp4"), 7000);
  write("c.mp4", box("ftyp", "isom") + box("mdat", "no index"));
  EXPECT_FALSE(mp4DurationMs(dir / "c.mp4"));
  write("d.mp4", std::string("\0\0\0\xff" "moov", 8));  // a box larger than the file
  EXPECT_FALSE(mp4DurationMs(dir / "d.mp4"));
  EXPECT_FALSE(mp4DurationMs(dir / "missing.mp4"));
}

TEST_F(ClipFolderTest, TheListHasFinishedClipsOldestFirstInTheRange) {
  std::string mp4 = box("ftyp", "isom") + box("moov", mvhd0(1000, 2500));
  write("20261201-030405-678.mp4", mp4);
  write("20261201-030405-678.jpg", "jpeg");
  write("20261130-230000-000.mp4", mp4);
  write("20261201-040000-000.mp4.part", mp4);  // still being written
  write("notes.mp4", mp4);                      // not an event's
  write("20261201-050000-000.jpg", "a still without its clip");
  auto clips = listClips(dir, std::nullopt, std::nullopt);
  ASSERT_EQ(clips.size(), 2u);
  EXPECT_EQ(clips[0].id, "20261130-230000-000");
  EXPECT_FALSE(clips[0].hasStill);
  EXPECT_EQ(clips[1].id, "20261201-030405-678");
  EXPECT_EQ(clips[1].startMs, 1796094245678);
  EXPECT_EQ(clips[1].durationMs, 2500);
  EXPECT_EQ(clips[1].bytes, mp4.size());
  EXPECT_TRUE(clips[1].hasStill);
  // 1 December 2026 (UTC) only.
  auto day = listClips(dir, 1796083200000, 1796083200000 + 86'400'000);
  ASSERT_EQ(day.size(), 1u);
  EXPECT_EQ(day[0].id, "20261201-030405-678");
  EXPECT_TRUE(listClips(dir / "absent", std::nullopt, std::nullopt).empty());

  auto wire = json::parse(serializeList(3, day));
  EXPECT_EQ(wire["type"], "list");
  EXPECT_EQ(wire["req"], 3);
  EXPECT_EQ(wire["clips"][0]["id"], "20261201-030405-678");
  EXPECT_EQ(wire["clips"][0]["start"], 1796094245678);
  EXPECT_EQ(wire["clips"][0]["durationMs"], 2500);
  EXPECT_EQ(wire["clips"][0]["still"], true);
}

}  // namespace
}  // namespace seccam::camera::clips
