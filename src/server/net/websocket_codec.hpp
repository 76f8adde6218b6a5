// The server's side of the WebSocket wire format (RFC 6455), without I/O: the opening
// handshake's checks and answer, the frames a client sends, and the headers of the frames we
// send. No extensions and no subprotocols are ever agreed, so every RSV bit must be zero.
// The session that drives it over a socket is signaling/websocket_session.cpp; why we frame
// ourselves instead of using Beast's stream is docs/WEBSOCKET.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace seccam::server::websocket {

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Close codes of RFC 6455 §7.4.1 that this layer sends itself.
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kCloseTooBig = 1009;

// Control frames carry at most this much (RFC 6455 §5.5).
inline constexpr std::size_t kMaxControlPayload = 125;
// The longest frame header a client can send (2 + 8 length bytes + 4 mask bytes) and that we
// send (2 + 8, never masked).
inline constexpr std::size_t kMaxClientHeaderBytes = 14;
inline constexpr std::size_t kMaxServerHeaderBytes = 10;

// Strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
bool isValidUtf8(std::string_view text);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string acceptKey(std::string_view clientKey);

// The opening handshake, from the fields of an upgrade request the HTTP layer has read.
struct UpgradeFields {
  std::string_view method;     // "GET"
  unsigned version = 0;        // 11 for HTTP/1.1
  std::string_view upgrade;    // must list "websocket"
  std::string_view connection; // must list "upgrade"
  std::string_view key;        // Sec-WebSocket-Key: base64 of 16 bytes
  std::string_view wsVersion;  // Sec-WebSocket-Version: "13"
};
// The whole HTTP answer to write: 101 with the accept key, or 400 (or 426, naming the version
// we speak) with a short text saying what was wrong. `accepted` tells which.
struct UpgradeAnswer {
  bool accepted = false;
  std::string response;
};
UpgradeAnswer answerUpgrade(const UpgradeFields& request, std::string_view serverName);

// A whole frame's header for a server frame (FIN set, unmasked) of `payloadBytes` bytes.
// Writes into `out` (at least kMaxServerHeaderBytes) and returns how many bytes it used.
std::size_t writeFrameHeader(Opcode opcode, std::size_t payloadBytes, std::uint8_t* out);
// A close frame's payload: the code (big-endian) and the reason, cut to fit a control frame
// on a character boundary.
std::string closePayload(std::uint16_t code, std::string_view reason);

// Reads what a client sends: frames in, messages and control frames out. Feed it the bytes
// received and not yet consumed; it unmasks each whole frame in place and reassembles
// fragmented messages. A message that arrives in one frame (nearly all of them) is handed
// out as a view into the caller's bytes, without a copy.
class FrameReader {
 public:
  explicit FrameReader(std::size_t maxMessageBytes) : maxMessageBytes_(maxMessageBytes) {}

  enum class Kind {
    needMore,  // no whole frame yet: `needBytes` is how many bytes (from the start of what
               // was given) the next step needs at least
    message,   // a whole text or binary message: `payload`, `opcode`
    ping,      // `payload` (to echo in a pong)
    pong,
    close,     // the peer's close: `closeCode` (0: none given), `payload` is the reason
    error,     // the client broke the protocol: close with `closeCode`; `what` says why
  };
  struct Event {
    Kind kind = Kind::needMore;
    std::size_t consumed = 0;   // bytes of the input this event used up
    std::size_t needBytes = 0;  // needMore only
    Opcode opcode = Opcode::text;
    std::string_view payload;  // valid until the next call (and while the input is)
    std::uint16_t closeCode = 0;
    const char* what = "";
  };

  // The next event from the front of `input` (bytes received, not yet consumed). Frames are
  // unmasked in place, so `input` must be writable. After `error` the reader is done.
  Event next(std::span<char> input);

  // A message of several frames is being reassembled (its first frames are held here).
  bool midMessage() const { return fragmented_; }
  // The memory held for reassembly, given back once a fragmented message is delivered.
  std::size_t heldBytes() const { return fragments_.capacity(); }

 private:
  Event fail(std::uint16_t code, const char* what);

  std::size_t maxMessageBytes_;
  std::string fragments_;       // the frames so far of a fragmented message
  bool fragmented_ = false;     // a message's first frame came without FIN
  Opcode fragmentedOpcode_ = Opcode::text;
  bool failed_ = false;
  bool deliveredFragments_ = false;  // fragments_ was handed out: clear it on the next call
};

}  // namespace seccam::server::websocket
