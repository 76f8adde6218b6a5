#include "common/protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using namespace seccam::protocol;

TEST(Protocol, ParsesViewerOffer) {
  auto p = parseViewerMessage(
      R"({"type":"offer","session":"sess-0001","camera":"sc-ABC","sdp":"v=0\r\n"})");
  ASSERT_TRUE(p) << p.error;
  auto& offer = std::get<Offer>(*p.message);
  EXPECT_EQ(offer.session, "sess-0001");
  EXPECT_EQ(offer.camera, "sc-ABC");
  EXPECT_EQ(offer.sdp, "v=0\r\n");
}

TEST(Protocol, ParsesCandidateWithOptionalFields) {
  auto p = parseViewerMessage(
      R"({"type":"candidate","session":"sess-0001","candidate":"","sdpMid":"0","sdpMLineIndex":0})");
  ASSERT_TRUE(p) << p.error;
  auto& c = std::get<Candidate>(*p.message);
  EXPECT_EQ(c.candidate, "");
  EXPECT_EQ(c.sdpMid, "0");
  EXPECT_EQ(c.sdpMLineIndex, 0);
}

TEST(Protocol, RejectsInvalidJson) {
  auto p = parseViewerMessage("{nope");
  EXPECT_FALSE(p);
  EXPECT_EQ(p.error, "invalid JSON");
}

TEST(Protocol, RejectsUnknownType) {
  auto p = parseViewerMessage(R"({"type":"answer","session":"sess-0001","sdp":"x"})");
  EXPECT_FALSE(p);
  EXPECT_NE(p.error.find("unknown message type"), std::string::npos);
  EXPECT_EQ(p.session, "sess-0001");
}

TEST(Protocol, RejectsIllTypedAndMissingFields) {
  EXPECT_FALSE(parseViewerMessage(R"({"type":"offer","session":"sess-0001","camera":5,"sdp":"x"})"));
  EXPECT_FALSE(parseViewerMessage(R"({"type":"offer","session":"sess-0001","sdp":"x"})"));
  EXPECT_FALSE(parseViewerMessage(R"({"type":"bye","session":"short"})"));
  EXPECT_FALSE(parseViewerMessage(R"({"type":"candidate","session":"sess-0001"})"));
  EXPECT_FALSE(parseViewerMessage(R"([1,2])"));
  EXPECT_FALSE(parseViewerMessage(R"({"session":"sess-0001"})"));
}

TEST(Protocol, CameraMessagesAreDistinctFromViewerMessages) {
  EXPECT_TRUE(parseCameraMessage(R"({"type":"answer","session":"sess-0001","sdp":"v=0"})"));
  EXPECT_TRUE(parseCameraMessage(R"({"type":"auth","camera":"sc-A","signature":"00"})"));
  EXPECT_FALSE(parseCameraMessage(R"({"type":"offer","session":"sess-0001","camera":"a","sdp":"x"})"));
}

TEST(Protocol, OfferToCameraRoundTripsWithIceServers) {
  Offer o{"sess-0001", "", "v=0", {{{"turn:127.0.0.1:3478?transport=udp"}, "123:cam", "pw"}}};
  auto p = parseServerToCamera(serialize(o));
  ASSERT_TRUE(p) << p.error;
  auto& back = std::get<Offer>(*p.message);
  EXPECT_EQ(back.sdp, "v=0");
  ASSERT_EQ(back.iceServers.size(), 1u);
  EXPECT_EQ(back.iceServers[0], o.iceServers[0]);
}

TEST(Protocol, HelloAndStatusRoundTrip) {
  Hello h{"ann", {{"sc-A", "Front <door>", true, std::string("2026-01-01T00:00:00Z")}}, {}};
  auto p = parseServerToViewer(serialize(h));
  ASSERT_TRUE(p) << p.error;
  auto& back = std::get<Hello>(*p.message);
  EXPECT_EQ(back.username, "ann");
  ASSERT_EQ(back.cameras.size(), 1u);
  EXPECT_EQ(back.cameras[0].name, "Front <door>");
  EXPECT_TRUE(back.cameras[0].online);
  auto s = parseServerToViewer(serialize(Status{"sc-A", false}));
  ASSERT_TRUE(s);
  EXPECT_FALSE(std::get<Status>(*s.message).online);
}

TEST(Protocol, ByeReasonIsOptional) {
  EXPECT_EQ(serialize(Bye{"sess-0001", ""}), R"({"session":"sess-0001","type":"bye"})");
  auto p = parseCameraMessage(R"({"type":"bye","session":"sess-0001","reason":"too_many_viewers"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(std::get<Bye>(*p.message).reason, "too_many_viewers");
}

TEST(Protocol, QualityRoundTripsFromCameraToViewer) {
  Quality q{"sess-0001", "medium", 640, 360};
  auto fromCamera = parseCameraMessage(serialize(q));
  ASSERT_TRUE(fromCamera) << fromCamera.error;
  const auto& back = std::get<Quality>(*fromCamera.message);
  EXPECT_EQ(back.rendition, "medium");
  EXPECT_EQ(back.width, 640);
  EXPECT_EQ(back.height, 360);
  auto toViewer = parseServerToViewer(serialize(back));
  ASSERT_TRUE(toViewer) << toViewer.error;
  EXPECT_EQ(std::get<Quality>(*toViewer.message).session, "sess-0001");
}

TEST(Protocol, MalformedQualityIsRefused) {
  for (const char* text : {
           R"({"type":"quality","session":"sess-0001","width":640,"height":360})",
           R"({"type":"quality","session":"sess-0001","rendition":"","width":640,"height":360})",
           R"({"type":"quality","session":"sess-0001","rendition":"Full\n","width":640,"height":360})",
           R"({"type":"quality","session":"sess-0001","rendition":"low","width":0,"height":360})",
           R"({"type":"quality","session":"sess-0001","rendition":"low","width":640,"height":"360"})",
           R"({"type":"quality","session":"sess-0001","rendition":"low","width":640,"height":99999})",
           R"({"type":"quality","rendition":"low","width":640,"height":360})",
       }) {
    auto p = parseCameraMessage(text);
    EXPECT_FALSE(p) << text;
    EXPECT_FALSE(p.error.empty()) << text;
  }
  // A viewer cannot send one.
  EXPECT_FALSE(parseViewerMessage(serialize(Quality{"sess-0001", "low", 320, 180})));
}

TEST(Protocol, CameraEventRoundTrips) {
  CameraEvent started{"20261201-030000-123", "motion", 1764558000123, std::nullopt, 0.25};
  auto p = parseCameraMessage(serialize(started));
  ASSERT_TRUE(p) << p.error;
  const auto& back = std::get<CameraEvent>(*p.message);
  EXPECT_EQ(back.id, started.id);
  EXPECT_EQ(back.kind, "motion");
  EXPECT_EQ(back.start, 1764558000123);
  EXPECT_FALSE(back.end);
  EXPECT_DOUBLE_EQ(back.score, 0.25);
  CameraEvent ended = started;
  ended.end = 1764558004123;
  auto text = serialize(ended);
  EXPECT_NE(text.find("\"durationMs\":4000"), std::string::npos) << text;
  auto q = parseCameraMessage(text);
  ASSERT_TRUE(q) << q.error;
  EXPECT_EQ(std::get<CameraEvent>(*q.message).end, 1764558004123);
}

TEST(Protocol, MalformedCameraEventIsRefused) {
  for (const char* text : {
           R"({"type":"event","kind":"motion","start":1,"score":0.1})",
           R"({"type":"event","id":"","kind":"motion","start":1,"score":0.1})",
           R"({"type":"event","id":"a/b","kind":"motion","start":1,"score":0.1})",
           R"({"type":"event","id":"e1","kind":"Motion","start":1,"score":0.1})",
           R"({"type":"event","id":"e1","kind":"motion","start":-1,"score":0.1})",
           R"({"type":"event","id":"e1","kind":"motion","start":"1","score":0.1})",
           R"({"type":"event","id":"e1","kind":"motion","start":5,"end":4,"score":0.1})",
           R"({"type":"event","id":"e1","kind":"motion","start":1,"score":1.5})",
           R"({"type":"event","id":"e1","kind":"motion","start":1})",
       }) {
    auto p = parseCameraMessage(text);
    EXPECT_FALSE(p) << text;
    EXPECT_FALSE(p.error.empty()) << text;
  }
  // A viewer cannot send one.
  EXPECT_FALSE(parseViewerMessage(serialize(CameraEvent{"e1", "motion", 1, std::nullopt, 0})));
}

TEST(WireConstants, EveryByeReasonAndErrorCodeRoundTripsThroughItsWireName) {
  for (auto reason : allByeReasons()) EXPECT_EQ(byeReasonFromWire(wireName(reason)), reason);
  for (auto code : allErrorCodes()) EXPECT_EQ(errorCodeFromWire(wireName(code)), code);
  EXPECT_EQ(wireName(ByeReason::TooManyViewers), "too_many_viewers");
  EXPECT_EQ(wireName(ErrorCode::BadRequest), "bad_request");
  EXPECT_EQ(value(CloseCode::Replaced), 4409);
}

TEST(WireConstants, AnUnknownWireNameIsNoneOfOurs) {
  EXPECT_EQ(byeReasonFromWire("gone_fishing"), std::nullopt);
  EXPECT_EQ(errorCodeFromWire(""), std::nullopt);
}

TEST(WireConstants, AnErrorCodeThisBuildDoesNotKnowStillParses) {
  auto p = parseServerToCamera(R"({"type":"error","code":"maintenance","message":"Back soon."})");
  ASSERT_TRUE(p) << p.error;
  const auto& error = std::get<Error>(*p.message);
  EXPECT_EQ(error.code, std::nullopt);
  EXPECT_EQ(error.message, "Back soon.");
  EXPECT_EQ(codeName(error), "unknown");
}

TEST(WireConstants, AnErrorCarriesItsCodeByItsWireName) {
  auto text = serialize(Error{"sess-0001", ErrorCode::TooManyViewers, "Full."});
  EXPECT_NE(text.find(R"("code":"too_many_viewers")"), std::string::npos);
  auto p = parseServerToViewer(text);
  ASSERT_TRUE(p) << p.error;
  EXPECT_EQ(std::get<Error>(*p.message).code, ErrorCode::TooManyViewers);
}

TEST(WireConstants, ByeForWritesTheReasonsWireName) {
  EXPECT_EQ(serialize(byeFor("sess-0001", ByeReason::ViewerLeft)),
            R"({"reason":"viewer_left","session":"sess-0001","type":"bye"})");
}

TEST(Protocol, OfferToCameraAlwaysCarriesIceServersEvenWhenThereAreNone) {
  auto text = serialize(Offer{"sess-0001", "", "v=0", {}});
  EXPECT_NE(text.find(R"("iceServers":[])"), std::string::npos) << text;
  // Viewer -> server offers name the camera and carry no ICE servers.
  auto fromViewer = serialize(Offer{"sess-0001", "sc-A", "v=0", {}});
  EXPECT_EQ(fromViewer.find("iceServers"), std::string::npos) << fromViewer;
}

// Found by fuzz_signaling (fuzz/corpus/fuzz_signaling/regression-unknown-type-utf8): the
// refusal of an unknown type quotes its first 32 bytes, which could end inside a character;
// serializing that `error` threw out of the hub's handler and took the server down.
TEST(Protocol, TheRefusalOfAnUnknownTypeIsAlwaysAMessageThatSerializes) {
  for (std::size_t prefix = 28; prefix <= 34; ++prefix) {
    std::string type = std::string(prefix, 'x') + "\xC3\xA9\xE2\x98\x83";  // "é☃"
    std::string text = nlohmann::json{{"type", type}, {"session", "sess-0001"}}.dump();
    for (const auto& error : {parseViewerMessage(text).error, parseCameraMessage(text).error}) {
      ASSERT_FALSE(error.empty());
      std::string reply;
      ASSERT_NO_THROW(reply = serialize(Error{"sess-0001", ErrorCode::BadRequest, error}));
      auto back = parseServerToViewer(reply);
      ASSERT_TRUE(back) << back.error;
      // The quoted type is a prefix of the real one, cut between characters.
      auto quoted = std::get<Error>(*back.message).message;
      auto start = quoted.find('\'') + 1;
      auto cut = quoted.substr(start, quoted.rfind('\'') - start);
      EXPECT_EQ(type.rfind(cut, 0), 0u) << quoted;
      EXPECT_LE(cut.size(), 32u);
    }
  }
}

TEST(Protocol, SerializingTextThatIsNotUtf8NeverThrows) {
  std::string bad = "ok\xC3";  // a character cut short
  std::string out;
  ASSERT_NO_THROW(out = serialize(Error{"", ErrorCode::Internal, bad}));
  EXPECT_TRUE(parseServerToViewer(out));
  ASSERT_NO_THROW(out = serialize(Bye{"sess-0001", bad}));
  EXPECT_TRUE(parseCameraMessage(out));
}

TEST(Protocol, EventNoticeToViewersRoundTrips) {
  EventNotice notice{"sc-A", {"20261201-030405-678", "motion", 1764558245678, 1764558251230, 0.11}};
  auto text = serialize(notice);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["type"], "event");
  EXPECT_EQ(j["camera"], "sc-A");
  EXPECT_EQ(j["event"]["durationMs"], 5552);
  EXPECT_FALSE(j["event"].contains("type"));
  auto p = parseServerToViewer(text);
  ASSERT_TRUE(p) << p.error;
  const auto& back = std::get<EventNotice>(*p.message);
  EXPECT_EQ(back.camera, "sc-A");
  EXPECT_EQ(back.event.id, "20261201-030405-678");
  EXPECT_EQ(back.event.end, std::optional<std::int64_t>(1764558251230));
  EXPECT_FALSE(parseServerToViewer(R"({"type":"event","camera":"sc-A","event":5})"));
}

// The relayed messages are written without building a json object first; what goes out must
// be what nlohmann::json would write for the same object, for any text a peer may send.
namespace {
std::string viaJsonTree(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> awkwardTexts() {
  std::vector<std::string> texts{"", "plain", "quote \" and backslash \\", "slash / stays",
                                 "tab\tnew\nline\rcr\bbs\fff", "del \x7f", "é ü 😀 (UTF-8)",
                                 std::string("invalid \xff\xfe bytes"), std::string("cut \xe2\x82")};
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  texts.push_back(controls);
  // Plain text is scanned eight bytes at a time: one character that is not plain, and the
  // characters on either side of plain's limits, at every place in and across two words.
  for (std::string odd : {"\"", "\\", "\x01", "\x1f", " ", "\x7f", "\xc3\xa9", "\xff"}) {
    for (std::size_t at = 0; at <= 17; ++at) {
      texts.push_back(std::string(at, 'a') + odd + std::string(17 - at, 'b'));
    }
  }
  return texts;
}
}  // namespace

TEST(ProtocolSerialize, RelayedMessagesAreWrittenExactlyAsTheJsonTreeWouldWriteThem) {
  for (const auto& text : awkwardTexts()) {
    EXPECT_EQ(serialize(Candidate{text, text, text, 3}),
              viaJsonTree({{"type", "candidate"},
                           {"session", text},
                           {"candidate", text},
                           {"sdpMid", text},
                           {"sdpMLineIndex", 3}}))
        << text;
    EXPECT_EQ(serialize(Candidate{text, text, std::nullopt, std::nullopt}),
              viaJsonTree({{"type", "candidate"}, {"session", text}, {"candidate", text}}))
        << text;
    EXPECT_EQ(serialize(Candidate{"s", "c", std::nullopt, -7}),
              viaJsonTree({{"type", "candidate"},
                           {"session", "s"},
                           {"candidate", "c"},
                           {"sdpMLineIndex", -7}}));
    EXPECT_EQ(serialize(Answer{text, text}),
              viaJsonTree({{"type", "answer"}, {"session", text}, {"sdp", text}}))
        << text;
    EXPECT_EQ(serialize(Bye{text, text}),
              viaJsonTree(text.empty() ? nlohmann::json{{"type", "bye"}, {"session", text}}
                                       : nlohmann::json{{"type", "bye"},
                                                        {"session", text},
                                                        {"reason", text}}))
        << text;
  }
}

// Plain candidates are read on a fast path without a json tree; on every input it takes, the
// result must be the general parser's, message, session and error alike.
TEST(ProtocolParse, TheCandidateFastPathAgreesWithTheGeneralParser) {
  const std::string base =
      R"({"type":"candidate","session":"sess-0001","candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host","sdpMid":"0","sdpMLineIndex":0})";
  std::vector<std::string> inputs{
      base,
      R"(  { "type" : "candidate" , "session":"sess-0001" ,"candidate":"" }  )",
      "{\t\"type\":\"candidate\",\n\"session\":\"sess-0001\",\r\"candidate\":\"c\"}",
      R"({"session":"sess-0001","candidate":"c","type":"candidate","extra":"x","n":5})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMid":null,"sdpMLineIndex":null})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":1024})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":1025})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":-1})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":-0})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":01})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":1.0})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":1e2})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":999999999})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":9999999999})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMLineIndex":"0"})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","sdpMid":5})",
      R"({"type":"candidate","session":"sess-0001","candidate":5})",
      R"({"type":"candidate","session":"sess-0001"})",
      R"({"type":"candidate","session":"short","candidate":"c"})",
      R"({"type":"candidate","session":"sess 0001","candidate":"c"})",
      R"({"type":"candidate","candidate":"c"})",
      R"({"type":"Candidate","session":"sess-0001","candidate":"c"})",
      R"({"type":"candidate","type":"offer","session":"sess-0001","candidate":"c"})",
      R"({"type":"candidate","session":"sess-0001","session":"sess-0002","candidate":"c"})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c\"quoted\" \\ \u0041"})",
      R"({"type":"candidate","session":"sess-0001","candidate":"caf\u00e9"})",
      "{\"type\":\"candidate\",\"session\":\"sess-0001\",\"candidate\":\"caf\xc3\xa9\"}",
      "{\"type\":\"candidate\",\"session\":\"sess-0001\",\"candidate\":\"bad \xff\"}",
      "{\"type\":\"candidate\",\"session\":\"sess-0001\",\"candidate\":\"tab\there\"}",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","nested":{"a":1}})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","list":[1]})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","flag":true})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c",})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c"} trailing)",
      R"({"type":"candidate","session":"sess-0001","candidate":"c"}})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c")",
      R"({"type":"candidate","session":"sess-0001","candidate":"c" "x":1})",
      R"({"type":"candidate" "session":"sess-0001","candidate":"c"})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","a":nul})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","a":nullx})",
      R"({"type":"candidate","session":"sess-0001","candidate":"c","a":-})",
      R"({"type":"candidate","a":1,"b":2,"c":3,"d":4,"e":5,"session":"sess-0001","candidate":"c"})",
      R"(["candidate"])",
      R"("candidate")",
      "",
      "{}",
  };
  // One character that a plain string may not hold, at every place in and across the words the
  // fast path scans, and the plain characters at the edges of what it may hold.
  for (std::string odd : {"\\\"", "\\\\", "\\u0041", "\t", "\x1f", " ", "~", "\x7f", "\xc3\xa9", "\xff"}) {
    for (std::size_t at = 0; at <= 17; ++at) {
      inputs.push_back(R"({"type":"candidate","session":"sess-0001","candidate":")" +
                       std::string(at, 'a') + odd + std::string(17 - at, 'b') + R"("})");
    }
  }
  for (const auto& text : inputs) {
    auto fast = parseViewerMessage(text);
    auto general = parseViewerMessageGeneral(text);
    ASSERT_EQ(fast.message.has_value(), general.message.has_value()) << text;
    EXPECT_EQ(fast.error, general.error) << text;
    EXPECT_EQ(fast.session, general.session) << text;
    if (!fast.message) continue;
    ASSERT_EQ(fast.message->index(), general.message->index()) << text;
    if (const auto* a = std::get_if<Candidate>(&*fast.message)) {
      const auto& b = std::get<Candidate>(*general.message);
      EXPECT_EQ(a->session, b.session) << text;
      EXPECT_EQ(a->candidate, b.candidate) << text;
      EXPECT_EQ(a->sdpMid, b.sdpMid) << text;
      EXPECT_EQ(a->sdpMLineIndex, b.sdpMLineIndex) << text;
    }
  }
}
