// The latency probe band (PROTOCOL.md): written and read back, also after blurring.
#include "camera/pipeline/latency_stamp.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace seccam::camera;

TEST(LatencyStamp, BandHeightFollowsProtocol) {
  EXPECT_EQ(stampBandHeight(240), 16);
  EXPECT_EQ(stampBandHeight(720), 36);
}

TEST(LatencyStamp, RoundTripsFortyEightBits) {
  const int width = 320, height = 240, stride = 336;
  std::vector<std::uint8_t> luma(static_cast<std::size_t>(stride) * height, 90);
  std::uint64_t ms = 1'764'000'123'456ULL;
  writeLatencyStamp(luma.data(), stride, width, height, ms);
  auto read = readLatencyStamp(luma.data(), stride, width, height);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, ms);
  // Cell 0 is white and cell 1 black; nothing below the band changed.
  EXPECT_EQ(luma[1], kStampWhite);
  EXPECT_EQ(luma[(width / 50) + 1], kStampBlack);
  EXPECT_EQ(luma[static_cast<std::size_t>(stride) * 20], 90);
}

TEST(LatencyStamp, SurvivesCompressionLikeNoise) {
  const int width = 640, height = 480;
  std::vector<std::uint8_t> luma(static_cast<std::size_t>(width) * height, 128);
  writeLatencyStamp(luma.data(), width, width, height, 0xABCDEF012345ULL);
  for (std::size_t i = 0; i < luma.size(); ++i) {
    int noisy = luma[i] + static_cast<int>(i % 7) * 5 - 15;
    luma[i] = static_cast<std::uint8_t>(std::clamp(noisy, 0, 255));
  }
  auto read = readLatencyStamp(luma.data(), width, width, height);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, 0xABCDEF012345ULL);
}

TEST(LatencyStamp, UnstampedPictureIsNotRead) {
  std::vector<std::uint8_t> luma(320 * 240, 100);
  EXPECT_FALSE(readLatencyStamp(luma.data(), 320, 320, 240));
}
