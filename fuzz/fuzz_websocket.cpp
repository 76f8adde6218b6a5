// What a WebSocket client sends, from the bytes on the socket to messages and control frames
// (server/net/websocket_codec: FrameReader, isValidUtf8). The first byte chooses the message
// size limit (16 bytes to 4 KiB) and how the rest is cut into reads: the same bytes are fed
// once whole and once in pieces, as reads of a socket would hand them over.
//
// Properties: the two feedings give the same events (kind, opcode, payload, close code); a
// step never consumes more than it was given, and `needMore` asks for more than it had; a
// message is within the limit and a text message (and a close reason) is valid UTF-8; a
// control frame's payload is at most 125 bytes; after an error the reader stays failed.
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "server/net/websocket_codec.hpp"

namespace {

using seccam::server::websocket::FrameReader;
using seccam::server::websocket::isValidUtf8;
using seccam::server::websocket::Opcode;
using Kind = FrameReader::Kind;

struct Seen {
  Kind kind;
  Opcode opcode;
  std::string payload;
  std::uint16_t closeCode;
  bool operator==(const Seen&) const = default;
};

// Feeds `bytes` to a reader `piece` bytes at a time (0: all at once), as a session does:
// what is not consumed stays at the front, new bytes go after it.
std::vector<Seen> feed(const std::string& bytes, std::size_t piece, std::size_t limit) {
  FrameReader reader(limit);
  std::vector<Seen> seen;
  std::string buffer;
  std::size_t given = 0;
  // Bounded: each turn either adds input or consumes some; errors end it.
  for (int turn = 0; turn < 100000; ++turn) {
    auto event = reader.next(std::span<char>(buffer.data(), buffer.size()));
    FUZZ_CHECK(event.consumed <= buffer.size());
    if (event.kind == Kind::needMore) {
      FUZZ_CHECK(event.needBytes > buffer.size() - event.consumed);
      buffer.erase(0, event.consumed);
      if (given == bytes.size()) break;
      std::size_t take = piece == 0 ? bytes.size() - given : std::min(piece, bytes.size() - given);
      buffer.append(bytes, given, take);
      given += take;
      continue;
    }
    seen.push_back({event.kind, event.opcode, std::string(event.payload), event.closeCode});
    if (event.kind == Kind::error) {
      FUZZ_CHECK(event.closeCode == 1002 || event.closeCode == 1007 || event.closeCode == 1009);
      FUZZ_CHECK(reader.next(std::span<char>(buffer.data(), buffer.size())).kind == Kind::error);
      break;
    }
    if (event.kind == Kind::message) {
      FUZZ_CHECK(event.payload.size() <= limit);
      if (event.opcode == Opcode::text) FUZZ_CHECK(isValidUtf8(event.payload));
    } else {
      FUZZ_CHECK(event.payload.size() <= 125);
      if (event.kind == Kind::close) FUZZ_CHECK(isValidUtf8(event.payload));
    }
    buffer.erase(0, event.consumed);
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t limit = std::size_t{16} << (data[0] & 0x7);  // 16 B .. 2 KiB
  std::size_t piece = 1 + ((data[0] >> 3) & 0x1F);          // 1 .. 32 bytes a read
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  auto whole = feed(bytes, 0, limit);
  auto pieces = feed(bytes, piece, limit);
  FUZZ_CHECK(whole == pieces);
  return 0;
}
