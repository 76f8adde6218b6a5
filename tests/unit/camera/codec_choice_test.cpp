// Choosing the answer's codec and payload type from a browser's offer.
#include "camera/peer/codec_choice.hpp"

#include <gtest/gtest.h>

using namespace seccam::camera;

namespace {
// Abridged from a Chromium offer: audio first, then video with several H.264 entries.
const char* kChromiumOffer =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 102 106 108 112\r\na=mid:1\r\na=recvonly\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:102 H264/90000\r\na=fmtp:102 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:106 H264/90000\r\na=fmtp:106 "
    "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:108 H264/90000\r\na=fmtp:108 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:112 H264/90000\r\na=fmtp:112 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f\r\n";
}  // namespace

TEST(CodecChoice, PicksConstrainedBaselineH264WithPacketizationMode1) {
  auto result = chooseVideoCodec(kChromiumOffer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->codec, VideoCodec::H264);
  EXPECT_EQ(result.choice->payloadType, 108);
  EXPECT_EQ(result.choice->profileLevelId, "42e01f");
  EXPECT_EQ(result.choice->mlineIndex, 1);
  EXPECT_EQ(result.choice->mid, "1");
}

TEST(CodecChoice, PicksVp8WhenPreferred) {
  auto result = chooseVideoCodec(kChromiumOffer, true, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
  EXPECT_EQ(result.choice->payloadType, 96);
}

TEST(CodecChoice, FallsBackToVp8WithoutUsableH264) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 102\r\na=mid:0\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42001f\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
}

TEST(CodecChoice, RefusesWhenNothingFits) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\na=rtpmap:102 H264/90000\r\n"
      "a=fmtp:102 packetization-mode=1;profile-level-id=640c1f\r\n";
  EXPECT_FALSE(chooseVideoCodec(offer, false, true).choice);
  EXPECT_FALSE(
      chooseVideoCodec("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", false,
                       false)
          .choice);
}

TEST(CodecChoice, RefusesGarbageAndAudioOnly) {
  EXPECT_EQ(chooseVideoCodec("hello", false, true).refusal, OfferRefusal::NotSdp);
  EXPECT_EQ(chooseVideoCodec("v=0\r\nm=audio 9 RTP/AVP 0\r\n", false, true).refusal,
            OfferRefusal::NoVideo);
}

TEST(CodecChoice, RecognisesConstrainedBaselineProfileLevelIds) {
  EXPECT_TRUE(isConstrainedBaselineProfileLevelId("42e01f"));
  EXPECT_TRUE(isConstrainedBaselineProfileLevelId("42C01E"));
  EXPECT_FALSE(isConstrainedBaselineProfileLevelId("42001f"));
  EXPECT_FALSE(isConstrainedBaselineProfileLevelId("64001f"));
  EXPECT_FALSE(isConstrainedBaselineProfileLevelId("42e0"));
  EXPECT_FALSE(isConstrainedBaselineProfileLevelId("zze01f"));
}

TEST(CodecChoice, NotesThePlayoutDelayExtensionIdOfTheVideoMline) {
  std::string offer = std::string(kChromiumOffer) +
                      "a=extmap:4 http://www.ietf.org/id/"
                      "draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                      "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->playoutDelayExtensionId, 5);

  // With a direction, and for VP8 as well.
  offer = std::string(kChromiumOffer) +
          "a=extmap:12/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n";
  result = chooseVideoCodec(offer, true, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
  EXPECT_EQ(result.choice->playoutDelayExtensionId, 12);
}

TEST(CodecChoice, NoPlayoutDelayExtensionUnlessTheVideoMlineOffersIt) {
  auto result = chooseVideoCodec(kChromiumOffer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->playoutDelayExtensionId, 0);

  // Offered for audio only: not ours to use on video.
  std::string offer = kChromiumOffer;
  offer.insert(offer.find("m=video"),
               "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n");
  result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->playoutDelayExtensionId, 0);

  // A garbled ID is ignored.
  offer = std::string(kChromiumOffer) +
          "a=extmap:x http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n";
  result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->playoutDelayExtensionId, 0);
}

TEST(CodecChoice, AnswersTheFirstVideoMlineAfterAudioAndData) {
  std::string offer =
      "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\na=rtpmap:111 opus/48000/2\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 108\r\na=mid:w\r\na=rtpmap:108 H264/90000\r\n"
      "a=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
  EXPECT_EQ(result.choice->mlineIndex, 2);
  EXPECT_EQ(result.choice->mid, "v");
}

TEST(CodecChoice, ReadsCodecNamesInAnyCase) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 108\r\na=rtpmap:96 vp8/90000\r\n"
      "a=rtpmap:108 h264/90000\r\na=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->codec, VideoCodec::H264);
  EXPECT_EQ(result.choice->payloadType, 108);
  result = chooseVideoCodec(offer, true, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
  EXPECT_EQ(result.choice->payloadType, 96);
}

TEST(CodecChoice, ReadsFmtpWithSpacesAndUpperCaseNames) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 108\r\na=rtpmap:108 H264/90000\r\n"
      "a=fmtp:108 level-asymmetry-allowed=1; Packetization-Mode = 1 ;  PROFILE-LEVEL-ID=42E01F "
      "\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->payloadType, 108);
  EXPECT_EQ(result.choice->profileLevelId, "42E01F");
}

TEST(CodecChoice, ReadsOffersWithBareLineFeeds) {
  std::string offer =
      "v=0\nm=video 9 UDP/TLS/RTP/SAVPF 108\na=mid:0\na=rtpmap:108 H264/90000\n"
      "a=fmtp:108 packetization-mode=1;profile-level-id=42e01f\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice) << offerRefusalText(result.refusal);
  EXPECT_EQ(result.choice->payloadType, 108);
  EXPECT_EQ(result.choice->mid, "0");
}

TEST(CodecChoice, IgnoresPayloadTypesTheMlineDoesNotList) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
      "a=rtpmap:108 H264/90000\r\na=fmtp:108 packetization-mode=1;profile-level-id=42e01f\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->codec, VideoCodec::Vp8);
}

TEST(CodecChoice, RefusesH264WithoutPacketizationModeOrProfile) {
  std::string offer =
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 100 101\r\na=rtpmap:100 H264/90000\r\n"
      "a=fmtp:100 profile-level-id=42e01f\r\na=rtpmap:101 H264/90000\r\n"
      "a=fmtp:101 packetization-mode=1\r\n";
  auto result = chooseVideoCodec(offer, false, true);
  EXPECT_FALSE(result.choice);
  EXPECT_EQ(result.refusal, OfferRefusal::NoCompatibleCodec);
}

TEST(CodecChoice, SdpWithoutMediaHasNoVideo) {
  EXPECT_EQ(chooseVideoCodec("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", false, true).refusal,
            OfferRefusal::NoVideo);
  EXPECT_EQ(chooseVideoCodec("v=0\r\nnot really sdp\r\n", false, true).refusal,
            OfferRefusal::NoVideo);
}

TEST(CodecChoice, NotesTheRtxPayloadTypeWhoseAptIsTheChosenOne) {
  // Chromium offers one rtx entry per codec; only the one repairing the chosen type counts.
  std::string offer = std::string(kChromiumOffer) +
                      "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                      "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
                      "a=rtpmap:109 rtx/90000\r\na=fmtp:109 apt=108\r\n";
  offer.replace(offer.find("96 102 106 108 112"), 18, "96 97 102 103 106 108 109 112");
  auto result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->payloadType, 108);
  EXPECT_EQ(result.choice->rtxPayloadType, 109);
  result = chooseVideoCodec(offer, true, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->payloadType, 96);
  EXPECT_EQ(result.choice->rtxPayloadType, 97);
}

TEST(CodecChoice, NoRtxPayloadTypeWithoutAMatchingApt) {
  auto result = chooseVideoCodec(kChromiumOffer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->rtxPayloadType, 0);

  // An rtx entry for another codec, one without apt, and one not listed on the m-line.
  std::string offer = std::string(kChromiumOffer) +
                      "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
                      "a=rtpmap:104 rtx/90000\r\n"
                      "a=rtpmap:110 rtx/90000\r\na=fmtp:110 apt=108\r\n";
  offer.replace(offer.find("96 102 106 108 112"), 18, "96 102 103 104 106 108 112");
  result = chooseVideoCodec(offer, false, true);
  ASSERT_TRUE(result.choice);
  EXPECT_EQ(result.choice->rtxPayloadType, 0);
}
