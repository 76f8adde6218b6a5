// The WebSocket codec (src/server/net/websocket_codec): the opening handshake, UTF-8, the
// frames a client may and may not send (RFC 6455 §5), and the headers of ours.
#include "server/net/websocket_codec.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace seccam::server::websocket {
namespace {

using Kind = FrameReader::Kind;

// A client's frame: masked with `mask`, `rsv` in bits 4-6 of the first byte.
std::string clientFrame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                        std::uint32_t mask = 0x37fa213d, std::uint8_t firstByteExtra = 0) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | firstByteExtra | opcode);
  if (payload.size() < 126) {
    out += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xFF);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((std::uint64_t(payload.size()) >> (8 * i)) & 0xFF);
  }
  char key[4] = {static_cast<char>(mask >> 24), static_cast<char>(mask >> 16),
                 static_cast<char>(mask >> 8), static_cast<char>(mask)};
  out.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) out += static_cast<char>(payload[i] ^ key[i % 4]);
  return out;
}

std::span<char> span(std::string& s) { return {s.data(), s.size()}; }

TEST(WebSocketHandshake, TheAcceptKeyIsTheRfcsExample) {
  EXPECT_EQ(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, AValidUpgradeIsAnsweredWith101AndTheAcceptKey) {
  UpgradeFields request{"GET", 11, "WebSocket", "keep-alive, Upgrade", "dGhlIHNhbXBsZSBub25jZQ==",
                        "13"};
  auto answer = answerUpgrade(request, "seccam-server");
  ASSERT_TRUE(answer.accepted);
  EXPECT_EQ(answer.response.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
  EXPECT_NE(answer.response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);
  EXPECT_NE(answer.response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_EQ(answer.response.substr(answer.response.size() - 4), "\r\n\r\n");
}

TEST(WebSocketHandshake, BadUpgradesAreRefusedWithTheRightStatus) {
  UpgradeFields good{"GET", 11, "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==", "13"};
  auto status = [](const UpgradeFields& f) {
    auto answer = answerUpgrade(f, "x");
    EXPECT_FALSE(answer.accepted);
    return answer.response.substr(0, 12);
  };
  auto wrongVersion = good;
  wrongVersion.wsVersion = "8";
  EXPECT_EQ(status(wrongVersion), "HTTP/1.1 426");
  EXPECT_NE(answerUpgrade(wrongVersion, "x").response.find("Sec-WebSocket-Version: 13\r\n"),
            std::string::npos);
  for (std::string_view key : {"", "short==", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25j!Q=="}) {
    auto badKey = good;
    badKey.key = key;
    EXPECT_EQ(status(badKey), "HTTP/1.1 400") << key;
  }
  auto post = good;
  post.method = "POST";
  EXPECT_EQ(status(post), "HTTP/1.1 400");
  auto http10 = good;
  http10.version = 10;
  EXPECT_EQ(status(http10), "HTTP/1.1 400");
  auto noUpgrade = good;
  noUpgrade.connection = "keep-alive";
  EXPECT_EQ(status(noUpgrade), "HTTP/1.1 400");
  auto otherProtocol = good;
  otherProtocol.upgrade = "h2c";
  EXPECT_EQ(status(otherProtocol), "HTTP/1.1 400");
}

TEST(WebSocketUtf8, AcceptsExactlyWellFormedUtf8) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("a plain candidate line, long enough for the eight-byte steps"));
  EXPECT_TRUE(isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xB7 \xF4\x8F\xBF\xBF"));
  const char* bad[] = {
      "\xC0\x80",          // overlong NUL
      "\xE0\x80\xAF",      // overlong '/'
      "\xED\xA0\x80",      // a surrogate
      "\xF4\x90\x80\x80",  // past U+10FFFF
      "\xF8\x88\x80\x80\x80",
      "\x80",              // a continuation first
      "\xC3",              // cut short
      "\xE2\x82",
      "\xC3\x28",          // not a continuation
  };
  for (const char* text : bad) {
    EXPECT_FALSE(isValidUtf8(text)) << testing::PrintToString(std::string(text));
    // Also after a run of ASCII that the eight-byte steps take.
    EXPECT_FALSE(isValidUtf8(std::string("0123456789abcdef") + text));
  }
}

TEST(WebSocketFrames, ServerHeadersUseTheShortestLength) {
  std::uint8_t header[kMaxServerHeaderBytes];
  EXPECT_EQ(writeFrameHeader(Opcode::text, 0, header), 2u);
  EXPECT_EQ(header[0], 0x81);
  EXPECT_EQ(header[1], 0);
  EXPECT_EQ(writeFrameHeader(Opcode::text, 125, header), 2u);
  EXPECT_EQ(header[1], 125);
  EXPECT_EQ(writeFrameHeader(Opcode::pong, 126, header), 4u);
  EXPECT_EQ(header[0], 0x8A);
  EXPECT_EQ(header[1], 126);
  EXPECT_EQ(header[2], 0);
  EXPECT_EQ(header[3], 126);
  EXPECT_EQ(writeFrameHeader(Opcode::text, 65535, header), 4u);
  EXPECT_EQ(writeFrameHeader(Opcode::text, 65536, header), 10u);
  EXPECT_EQ(header[1], 127);
  EXPECT_EQ(header[7], 1);  // 0x00 00 00 00 00 01 00 00
  EXPECT_EQ(header[8], 0);
}

TEST(WebSocketFrames, ACloseReasonIsCutOnACharacterBoundary) {
  auto payload = closePayload(4409, "replaced");
  EXPECT_EQ(payload, std::string("\x11\x39", 2) + "replaced");
  std::string longReason(122, 'x');
  longReason += "\xC3\xA9\xC3\xA9";  // 126 bytes, a two-byte character across byte 123
  auto cut = closePayload(1000, longReason);
  EXPECT_LE(cut.size(), kMaxControlPayload);
  EXPECT_TRUE(isValidUtf8(cut.substr(2)));
  EXPECT_EQ(cut.size(), 2u + 122u);
}

TEST(WebSocketFrames, AWholeMessageInOneFrameIsAViewIntoTheInput) {
  FrameReader reader(1024);
  auto bytes = clientFrame(0x1, R"({"type":"candidate"})");
  auto event = reader.next(span(bytes));
  ASSERT_EQ(event.kind, Kind::message);
  EXPECT_EQ(event.opcode, Opcode::text);
  EXPECT_EQ(event.payload, R"({"type":"candidate"})");
  EXPECT_EQ(event.consumed, bytes.size());
  EXPECT_GE(event.payload.data(), bytes.data());
  EXPECT_LT(event.payload.data(), bytes.data() + bytes.size());
}

TEST(WebSocketFrames, APartFrameAsksForWhatItNeeds) {
  FrameReader reader(100000);
  std::string payload(300, 'p');
  auto bytes = clientFrame(0x1, payload);  // 2 + 2 + 4 header bytes
  std::string one = bytes.substr(0, 1);
  auto event = reader.next(span(one));
  EXPECT_EQ(event.kind, Kind::needMore);
  EXPECT_EQ(event.needBytes, 2u);
  std::string three = bytes.substr(0, 3);
  event = reader.next(span(three));
  EXPECT_EQ(event.kind, Kind::needMore);
  EXPECT_EQ(event.needBytes, 8u);
  std::string most = bytes.substr(0, bytes.size() - 1);
  event = reader.next(span(most));
  EXPECT_EQ(event.kind, Kind::needMore);
  EXPECT_EQ(event.needBytes, bytes.size());
  EXPECT_EQ(event.consumed, 0u);
  event = reader.next(span(bytes));
  ASSERT_EQ(event.kind, Kind::message);
  EXPECT_EQ(event.payload, payload);
}

TEST(WebSocketFrames, FragmentsAreReassembledAndControlFramesMayComeBetween) {
  FrameReader reader(1024);
  auto bytes = clientFrame(0x1, "Hel", false) + clientFrame(0x9, "are you there") +
               clientFrame(0x0, "lo, ", false) + clientFrame(0x0, "world", true) +
               clientFrame(0x2, std::string("\xFF\x00", 2));
  std::size_t used = 0;
  auto next = [&] {
    auto event = reader.next(std::span<char>(bytes.data() + used, bytes.size() - used));
    used += event.consumed;
    return event;
  };
  auto ping = next();
  ASSERT_EQ(ping.kind, Kind::ping);
  EXPECT_EQ(ping.payload, "are you there");
  EXPECT_TRUE(reader.midMessage());
  auto message = next();
  ASSERT_EQ(message.kind, Kind::message);
  EXPECT_EQ(message.opcode, Opcode::text);
  EXPECT_EQ(message.payload, "Hello, world");
  EXPECT_FALSE(reader.midMessage());
  // A binary message need not be UTF-8.
  auto binary = next();
  ASSERT_EQ(binary.kind, Kind::message);
  EXPECT_EQ(binary.opcode, Opcode::binary);
  EXPECT_EQ(binary.payload, std::string("\xFF\x00", 2));
  EXPECT_EQ(used, bytes.size());
  EXPECT_EQ(next().kind, Kind::needMore);
  // The reassembly buffer was given back (what is left is the string's own small buffer).
  EXPECT_LE(reader.heldBytes(), sizeof(std::string));
}

TEST(WebSocketFrames, SixtyFourBitLengthsWork) {
  FrameReader reader(100000);
  std::string payload(70000, 'x');
  auto bytes = clientFrame(0x1, payload);
  auto event = reader.next(span(bytes));
  ASSERT_EQ(event.kind, Kind::message);
  EXPECT_EQ(event.payload.size(), payload.size());
}

struct Broken {
  const char* name;
  std::string bytes;
  std::uint16_t code;
};

TEST(WebSocketFrames, EveryBreachOfTheProtocolIsAnErrorWithItsCloseCode) {
  std::string unmasked = "\x81\x02hi";
  std::string nonMinimal = clientFrame(0x1, std::string(200, 'x'));
  nonMinimal[1] = static_cast<char>(0x80 | 126);
  nonMinimal.insert(2, std::string("\x00\x05", 2));  // 126 form holding 5
  std::string hugeLength = std::string("\x81\xFF\x80\x00\x00\x00\x00\x00\x00\x00", 10) + "abcd";
  std::vector<Broken> cases = {
      {"unmasked", unmasked, kCloseProtocolError},
      {"rsv1", clientFrame(0x1, "x", true, 1, 0x40), kCloseProtocolError},
      {"rsv3", clientFrame(0x1, "x", true, 1, 0x10), kCloseProtocolError},
      {"opcode 3", clientFrame(0x3, "x"), kCloseProtocolError},
      {"opcode 11", clientFrame(0xB, "x"), kCloseProtocolError},
      {"fragmented ping", clientFrame(0x9, "x", false), kCloseProtocolError},
      {"long ping", clientFrame(0x9, std::string(126, 'x')), kCloseProtocolError},
      {"continuation first", clientFrame(0x0, "x"), kCloseProtocolError},
      {"text inside a text", clientFrame(0x1, "a", false) + clientFrame(0x1, "b"), kCloseProtocolError},
      {"non-minimal length", nonMinimal, kCloseProtocolError},
      {"length over 2^63", hugeLength, kCloseProtocolError},
      {"invalid UTF-8", clientFrame(0x1, "caf\xC3"), kCloseInvalidPayload},
      {"invalid UTF-8 across fragments", clientFrame(0x1, "caf\xC3", false) + clientFrame(0x0, "\x28"),
       kCloseInvalidPayload},
      {"close of one byte", clientFrame(0x8, "\x03"), kCloseProtocolError},
      {"close code 1005", clientFrame(0x8, "\x03\xED"), kCloseProtocolError},
      {"close code 999", clientFrame(0x8, "\x03\xE7"), kCloseProtocolError},
      {"close code 2000", clientFrame(0x8, "\x07\xD0"), kCloseProtocolError},
      {"close reason not UTF-8", clientFrame(0x8, "\x03\xE8\xC0\x80"), kCloseInvalidPayload},
  };
  for (auto& c : cases) {
    FrameReader reader(1024);
    std::size_t used = 0;
    FrameReader::Event event;
    for (int i = 0; i < 4; ++i) {
      event = reader.next(std::span<char>(c.bytes.data() + used, c.bytes.size() - used));
      used += event.consumed;
      if (event.kind == Kind::error || event.kind == Kind::needMore) break;
    }
    EXPECT_EQ(event.kind, Kind::error) << c.name;
    EXPECT_EQ(event.closeCode, c.code) << c.name;
    EXPECT_STRNE(event.what, "") << c.name;
    // A reader that failed stays failed.
    EXPECT_EQ(reader.next(span(c.bytes)).kind, Kind::error) << c.name;
  }
}

TEST(WebSocketFrames, AMessageOverTheLimitIsRefusedFromItsHeaderAlone) {
  FrameReader reader(1000);
  auto bytes = clientFrame(0x1, std::string(1001, 'x'));
  std::string headerOnly = bytes.substr(0, 8);
  auto event = reader.next(span(headerOnly));
  EXPECT_EQ(event.kind, Kind::error);
  EXPECT_EQ(event.closeCode, kCloseTooBig);

  FrameReader exact(1000);
  auto fits = clientFrame(0x1, std::string(1000, 'x'));
  EXPECT_EQ(exact.next(span(fits)).kind, Kind::message);

  // Fragments count together.
  FrameReader fragments(1000);
  auto parts = clientFrame(0x1, std::string(600, 'x'), false) + clientFrame(0x0, std::string(401, 'x'));
  std::size_t used = 0;
  FrameReader::Event last;
  for (int i = 0; i < 3; ++i) {
    last = fragments.next(std::span<char>(parts.data() + used, parts.size() - used));
    used += last.consumed;
    if (last.kind != Kind::needMore || last.consumed == 0) break;
  }
  EXPECT_EQ(last.kind, Kind::error);
  EXPECT_EQ(last.closeCode, kCloseTooBig);
}

TEST(WebSocketFrames, ClosesCarryTheirCodeAndReason) {
  FrameReader reader(1024);
  auto bytes = clientFrame(0x8, std::string("\x03\xE8", 2) + "bye") + clientFrame(0x8, "");
  auto event = reader.next(span(bytes));
  ASSERT_EQ(event.kind, Kind::close);
  EXPECT_EQ(event.closeCode, 1000);
  EXPECT_EQ(event.payload, "bye");
  auto empty = reader.next(std::span<char>(bytes.data() + event.consumed, bytes.size() - event.consumed));
  ASSERT_EQ(empty.kind, Kind::close);
  EXPECT_EQ(empty.closeCode, 0);
  for (std::uint16_t code : {1000, 1001, 1011, 1014, 3000, 4409, 4999}) {
    FrameReader r(1024);
    std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    auto frame = clientFrame(0x8, payload);
    auto e = r.next(span(frame));
    EXPECT_EQ(e.kind, Kind::close) << code;
    EXPECT_EQ(e.closeCode, code);
  }
}

}  // namespace
}  // namespace seccam::server::websocket
