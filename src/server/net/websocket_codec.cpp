// RFC 6455 on the server's side, without I/O (websocket_codec.hpp).
#include "server/net/websocket_codec.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace seccam::server::websocket {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// An HTTP token list ("keep-alive, Upgrade") names `token`, in any case.
bool listsToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equalsIgnoringCase(item, token)) return true;
  }
  return false;
}

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Base64 of 16 bytes: 22 characters and "==".
bool isWebSocketKey(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, isBase64Char);
}

std::string refusal(int status, std::string_view reason, std::string_view extraHeader,
                    std::string_view body, std::string_view serverName) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Server: " + std::string(serverName) + "\r\n";
  out += extraHeader;
  out += "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// Close codes a peer may send (RFC 6455 §7.4.1 and the IANA registry): 1000-1003, 1007-1014,
// 3000-4999. 1004-1006 and 1015 are reserved and never sent on the wire.
bool isValidCloseCode(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::uint64_t readBigEndian(const unsigned char* p, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | p[i];
  return value;
}

// XORs the payload with the 4-byte key, eight bytes at a time where it can.
void unmask(char* data, std::size_t size, const unsigned char* key) {
  std::uint32_t key32;
  std::memcpy(&key32, key, 4);
  std::uint64_t key64 = (static_cast<std::uint64_t>(key32) << 32) | key32;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= key64;
    std::memcpy(data + i, &word, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // ASCII, eight bytes at a time: what nearly every signaling message is.
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int more;
    std::uint32_t min;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      more = 1, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      more = 2, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      more = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, or 0xF8-0xFF
    }
    if (end - p <= more) return false;
    for (int i = 1; i <= more; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += more + 1;
  }
  return true;
}

std::string acceptKey(std::string_view clientKey) {
  std::string input(clientKey);
  input += kGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digestBytes = 0;
  EVP_Digest(input.data(), input.size(), digest.data(), &digestBytes, EVP_sha1(), nullptr);
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> encoded{};
  int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digestBytes));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(n));
}

UpgradeAnswer answerUpgrade(const UpgradeFields& request, std::string_view serverName) {
  auto badRequest = [&](std::string_view why) {
    return UpgradeAnswer{false, refusal(400, "Bad Request", {}, why, serverName)};
  };
  if (request.method != "GET" || request.version < 11) {
    return badRequest("A WebSocket upgrade is a GET request of HTTP/1.1.");
  }
  if (!listsToken(request.connection, "upgrade") || !listsToken(request.upgrade, "websocket")) {
    return badRequest("Not a WebSocket upgrade (Connection: Upgrade, Upgrade: websocket).");
  }
  if (request.wsVersion != "13") {
    return UpgradeAnswer{false, refusal(426, "Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
                                        "This server speaks WebSocket version 13.", serverName)};
  }
  if (!isWebSocketKey(request.key)) {
    return badRequest("Sec-WebSocket-Key must be the base64 of 16 bytes.");
  }
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out += acceptKey(request.key);
  out += "\r\nServer: ";
  out += serverName;
  out += "\r\n\r\n";
  return UpgradeAnswer{true, std::move(out)};
}

std::size_t writeFrameHeader(Opcode opcode, std::size_t payloadBytes, std::uint8_t* out) {
  out[0] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode));
  if (payloadBytes < 126) {
    out[1] = static_cast<std::uint8_t>(payloadBytes);
    return 2;
  }
  if (payloadBytes <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payloadBytes >> 8);
    out[3] = static_cast<std::uint8_t>(payloadBytes);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) {
    out[2 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(payloadBytes) >> (56 - 8 * i));
  }
  return 10;
}

std::string closePayload(std::uint16_t code, std::string_view reason) {
  constexpr std::size_t kMaxReason = kMaxControlPayload - 2;
  if (reason.size() > kMaxReason) {
    std::size_t cut = kMaxReason;
    // Back to the start of a character: never half of one.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string out;
  out.reserve(2 + reason.size());
  out += static_cast<char>(code >> 8);
  out += static_cast<char>(code & 0xFF);
  out += reason;
  return out;
}

FrameReader::Event FrameReader::fail(std::uint16_t code, const char* what) {
  failed_ = true;
  Event event;
  event.kind = Kind::error;
  event.closeCode = code;
  event.what = what;
  return event;
}

FrameReader::Event FrameReader::next(std::span<char> input) {
  if (failed_) return fail(kCloseProtocolError, "read after a protocol error");
  if (deliveredFragments_) {
    deliveredFragments_ = false;
    fragments_.clear();
    fragments_.shrink_to_fit();
  }
  std::size_t offset = 0;  // non-final fragments absorbed in this call
  // Bounded: every turn consumes a whole frame of at least 6 bytes or returns.
  for (;;) {
    auto in = input.subspan(offset);
    auto needMore = [&](std::size_t bytes) {
      Event event;
      event.consumed = offset;
      event.needBytes = bytes;
      return event;
    };
    if (in.size() < 2) return needMore(2);
    const auto* bytes = reinterpret_cast<const unsigned char*>(in.data());
    bool fin = (bytes[0] & 0x80) != 0;
    auto opcode = static_cast<Opcode>(bytes[0] & 0x0F);
    bool masked = (bytes[1] & 0x80) != 0;
    unsigned length7 = bytes[1] & 0x7F;
    if ((bytes[0] & 0x70) != 0) return fail(kCloseProtocolError, "reserved bits set");
    bool control = (static_cast<unsigned>(opcode) & 0x8) != 0;
    switch (opcode) {
      case Opcode::continuation:
      case Opcode::text:
      case Opcode::binary:
      case Opcode::close:
      case Opcode::ping:
      case Opcode::pong:
        break;
      default:
        return fail(kCloseProtocolError, "unknown opcode");
    }
    if (!masked) return fail(kCloseProtocolError, "unmasked frame from a client");
    std::size_t lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    std::size_t header = 2 + lengthBytes + 4;
    if (in.size() < header) return needMore(header);
    std::uint64_t length = length7;
    if (lengthBytes == 2) {
      length = readBigEndian(bytes + 2, 2);
      if (length < 126) return fail(kCloseProtocolError, "frame length not in its shortest form");
    } else if (lengthBytes == 8) {
      length = readBigEndian(bytes + 2, 8);
      if (length >> 63) return fail(kCloseProtocolError, "frame length over 2^63");
      if (length <= 0xFFFF) return fail(kCloseProtocolError, "frame length not in its shortest form");
    }
    if (control) {
      if (!fin) return fail(kCloseProtocolError, "fragmented control frame");
      if (length > kMaxControlPayload) return fail(kCloseProtocolError, "control frame over 125 bytes");
    } else {
      if (opcode == Opcode::continuation && !fragmented_) {
        return fail(kCloseProtocolError, "continuation frame without a message");
      }
      if (opcode != Opcode::continuation && fragmented_) {
        return fail(kCloseProtocolError, "new message before the last one ended");
      }
      std::uint64_t sofar = fragmented_ ? fragments_.size() : 0;
      if (length > maxMessageBytes_ || sofar + length > maxMessageBytes_) {
        return fail(kCloseTooBig, "message over the size limit");
      }
    }
    std::size_t total = header + static_cast<std::size_t>(length);
    if (in.size() < total) return needMore(total);

    char* payloadData = in.data() + header;
    auto payloadSize = static_cast<std::size_t>(length);
    unmask(payloadData, payloadSize, bytes + header - 4);
    std::string_view payload(payloadData, payloadSize);

    Event event;
    event.consumed = offset + total;
    event.opcode = opcode;
    switch (opcode) {
      case Opcode::ping:
        event.kind = Kind::ping;
        event.payload = payload;
        return event;
      case Opcode::pong:
        event.kind = Kind::pong;
        return event;
      case Opcode::close:
        event.kind = Kind::close;
        if (payloadSize == 1) return fail(kCloseProtocolError, "close frame of one byte");
        if (payloadSize >= 2) {
          event.closeCode = static_cast<std::uint16_t>(readBigEndian(bytes + header, 2));
          if (!isValidCloseCode(event.closeCode)) return fail(kCloseProtocolError, "invalid close code");
          event.payload = payload.substr(2);
          if (!isValidUtf8(event.payload)) return fail(kCloseInvalidPayload, "close reason not UTF-8");
        }
        return event;
      default:
        break;
    }
    if (fin && !fragmented_) {
      if (opcode == Opcode::text && !isValidUtf8(payload)) {
        return fail(kCloseInvalidPayload, "text message not UTF-8");
      }
      event.kind = Kind::message;
      event.payload = payload;
      return event;
    }
    if (!fragmented_) {
      fragmented_ = true;
      fragmentedOpcode_ = opcode;
    }
    fragments_.append(payload);
    if (!fin) {
      offset += total;
      continue;
    }
    fragmented_ = false;
    deliveredFragments_ = true;
    if (fragmentedOpcode_ == Opcode::text && !isValidUtf8(fragments_)) {
      return fail(kCloseInvalidPayload, "text message not UTF-8");
    }
    event.kind = Kind::message;
    event.opcode = fragmentedOpcode_;
    event.payload = fragments_;
    return event;
  }
}

}  // namespace seccam::server::websocket
