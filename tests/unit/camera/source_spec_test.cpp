// The `source` setting and the source pipelines it selects.
#include "camera/pipeline/source_spec.hpp"

#include <gtest/gtest.h>

#include "camera/pipeline/source_factory.hpp"

using namespace seccam::camera;

TEST(SourceSpec, ParsesEveryKind) {
  EXPECT_EQ(parseSourceSpec("test").kind, SourceKind::Test);
  EXPECT_EQ(parseSourceSpec("libcamera").kind, SourceKind::Libcamera);
  auto v4l2 = parseSourceSpec("v4l2:/dev/video2");
  EXPECT_EQ(v4l2.kind, SourceKind::V4l2);
  EXPECT_EQ(v4l2.location, "/dev/video2");
  auto rtsp = parseSourceSpec("rtsp://10.0.0.5:554/stream1");
  EXPECT_EQ(rtsp.kind, SourceKind::Rtsp);
  EXPECT_EQ(rtsp.location, "rtsp://10.0.0.5:554/stream1");
  auto file = parseSourceSpec("file:/videos/loop.mp4");
  EXPECT_EQ(file.kind, SourceKind::File);
  EXPECT_EQ(file.location, "/videos/loop.mp4");
}

TEST(SourceSpec, RefusesUnknownForms) {
  EXPECT_THROW(parseSourceSpec("webcam"), std::invalid_argument);
  EXPECT_THROW(parseSourceSpec("v4l2:"), std::invalid_argument);
  EXPECT_THROW(parseSourceSpec("http://x"), std::invalid_argument);
}

TEST(SourceFactory, RtspPassThroughHasNoDecoderAndTranscodeDoes) {
  auto spec = parseSourceSpec("rtsp://10.0.0.5/cam");
  auto pass = describeSource(spec, {320, 240, 30}, InputKind::H264PassThrough, true);
  EXPECT_NE(pass.launch.find("rtph264depay"), std::string::npos);
  EXPECT_EQ(pass.launch.find("decodebin"), std::string::npos);
  auto transcode = describeSource(spec, {320, 240, 30}, InputKind::Raw, true);
  EXPECT_NE(transcode.launch.find("decodebin"), std::string::npos);
  EXPECT_NE(transcode.launch.find("width=320,height=240"), std::string::npos);
}

TEST(SourceFactory, OnlyConstrainedBaselinePassesThrough) {
  EXPECT_TRUE(isBrowserSafeH264Profile("constrained-baseline"));
  EXPECT_FALSE(isBrowserSafeH264Profile("high"));
  EXPECT_FALSE(isBrowserSafeH264Profile("baseline"));
}
