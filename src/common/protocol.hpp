// SecCam wire messages (PROTOCOL.md): typed structs, one parse-and-validate function per
// direction, and serializers. The rest of the code never touches raw JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seccam::protocol {

// ---- Wire constants: every one has its PROTOCOL.md name here and nowhere else in C++.
// web/js/protocol.js mirrors these lists; tests/unit/common/wire_constants_test.cpp keeps the
// two equal.

// WebSocket close codes ("Close codes", and RFC 6455's).
enum class CloseCode : std::uint16_t {
  GoingAway = 1001,
  TooBig = 1009,
  Unauthorized = 4401,
  ForbiddenOrigin = 4403,
  AuthTimeout = 4408,
  Replaced = 4409,
  RateLimited = 4429,
};

// `error.code` in the HTTP API and in signaling `error` messages (one list for both).
enum class ErrorCode {
  BadRequest,      // bad_request (signaling)
  InvalidInput,    // invalid_input (API)
  Unauthorized,    // unauthorized
  Forbidden,       // forbidden (API)
  NotFound,        // not_found
  Conflict,        // conflict (API)
  TooLarge,        // too_large (API)
  CameraOffline,   // camera_offline (signaling)
  TooManyViewers,  // too_many_viewers (signaling)
  RateLimited,     // rate_limited
  Internal,        // internal
  StorageFull,     // storage_full (API, 507: the server's disk is full, nothing was changed)
  UnknownHost,         // unknown_host (API, 421: a Host this server does not answer to)
  Overloaded,          // overloaded (API, 503: the server is at a capacity limit; retry)
  TooManyConnections,  // too_many_connections (API, 503: this address has too many open)
  Unavailable,  // unavailable (signaling: this node cannot reach the camera's node now; retry)
};

// `bye.reason`. The wire stays open: a reason this list does not know is passed on as text
// and read as "session over, may retry" (PROTOCOL.md, extensions).
enum class ByeReason {
  CameraOffline,      // camera_offline: the camera went away (server)
  CameraReconnected,  // camera_reconnected: a newer connection replaced the camera's (server)
  ViewerLeft,         // viewer_left: the viewer's connection closed (server, to the camera)
  Unclaimed,          // unclaimed: the owner removed the camera (server)
  TooManyViewers,     // too_many_viewers: the camera is at its max-viewers (camera)
  BadSdp,             // bad_sdp: the offer is not SDP or was refused by webrtcbin (camera)
  UnsupportedCodec,   // unsupported_codec: no codec the camera can send (camera)
  NegotiationFailed,  // negotiation_failed: no answer could be made (camera)
  IceFailed,          // ice_failed (camera)
  IceTimeout,         // ice_timeout: ICE never connected in time (camera)
  IceDisconnected,    // ice_disconnected: ICE stayed disconnected too long (camera)
  SourceChanged,      // source_changed: the source's format changed; reconnect (camera)
  Internal,           // internal: the camera's media failed for this session (camera)
};

std::string_view wireName(ErrorCode code);
std::string_view wireName(ByeReason reason);
std::optional<ErrorCode> errorCodeFromWire(std::string_view name);
std::optional<ByeReason> byeReasonFromWire(std::string_view name);
constexpr std::uint16_t value(CloseCode code) { return static_cast<std::uint16_t>(code); }
// Every value, in declaration order (for the JS mirror test and for docs).
std::span<const ErrorCode> allErrorCodes();
std::span<const ByeReason> allByeReasons();
std::span<const CloseCode> allCloseCodes();
std::string_view wireName(CloseCode code);  // the name web/js/protocol.js uses, e.g. "Replaced"

struct IceServer {
  std::vector<std::string> urls;
  std::string username;    // empty for STUN
  std::string credential;  // empty for STUN
  bool operator==(const IceServer&) const = default;
};

struct CameraInfo {
  std::string id;
  std::string name;
  bool online = false;
  std::optional<std::string> lastSeen;  // ISO 8601
};

// Signaling messages. `camera` is set on viewer->server offers only; `iceServers` on
// server->camera offers only.
struct Offer {
  std::string session;
  std::string camera;
  std::string sdp;
  std::vector<IceServer> iceServers;
};
struct Answer {
  std::string session;
  std::string sdp;
};
struct Candidate {
  std::string session;
  std::string candidate;  // empty: end of candidates
  std::optional<std::string> sdpMid;
  std::optional<int> sdpMLineIndex;
};
// `reason` stays text: a reason ByeReason does not know (a newer camera's) is passed on to
// the viewer as it came. Make one of ours with byeFor().
struct Bye {
  std::string session;
  std::string reason;  // optional on the wire; empty when absent
};
Bye byeFor(std::string session, ByeReason reason);
// Which rendition of its quality ladder the camera sends a session now (camera -> viewer,
// relayed like an answer). `rendition` stays text: a newer camera may name others.
struct Quality {
  std::string session;
  std::string rendition;  // "full", "medium", "low"
  int width = 0;
  int height = 0;
};
// A motion event the camera saw (camera -> server, metadata only): sent when it starts (no
// `end`) and again, with the same `id`, when it ends. Times are ms since the Unix epoch.
struct CameraEvent {
  std::string id;    // the camera's own: 1-64 of letters, digits, '_', '-'; names its clip
  std::string kind;  // "motion" from this camera; 1-32 of a-z, 0-9, '_' (newer kinds pass)
  std::int64_t start = 0;
  std::optional<std::int64_t> end;  // set when the event has ended (>= start)
  double score = 0;                 // 0-1: the largest share of the picture that moved
};
// Server -> viewer: one of the viewer's cameras reported an event (its start, or its end):
// {"type":"event","camera":"sc-…","event":{"id","kind","start","end"?,"durationMs"?,"score"}}.
struct EventNotice {
  std::string camera;
  CameraEvent event;
};
struct Challenge {
  std::string nonce;
};
struct Auth {
  std::string camera;
  std::string signature;
};
struct Welcome {
  std::vector<IceServer> iceServers;
};
struct Hello {
  std::string username;
  std::vector<CameraInfo> cameras;
  std::vector<IceServer> iceServers;
};
struct Status {
  std::string camera;
  bool online = false;
};
// `code` is typed. A code this build does not know (PROTOCOL.md lets a newer server add
// some) parses as nullopt, not as a failure: the receiver treats it as an error it cannot
// act on and keeps `message` for its log. A sender always sets it.
struct Error {
  std::string session;  // empty when not about a session
  std::optional<ErrorCode> code;
  std::string message;
};
// The code's wire name, or "unknown" for a code this build does not know (for logs).
std::string_view codeName(const Error& error);

// What each side may send.
using ViewerToServer = std::variant<Offer, Candidate, Bye>;
using CameraToServer = std::variant<Auth, Answer, Candidate, Bye, Quality, CameraEvent>;
using ServerToCamera = std::variant<Challenge, Welcome, Offer, Candidate, Bye, Error>;
using ServerToViewer =
    std::variant<Hello, Status, Answer, Candidate, Bye, Quality, Error, EventNotice>;

// The result of parsing: a message, or a human-readable reason it was refused (the
// `bad_request` message). `session` is filled when the input had a readable session field,
// so that the error can name it.
template <typename T>
struct Parsed {
  std::optional<T> message;
  std::string error;
  std::string session;
  explicit operator bool() const { return message.has_value(); }
};

Parsed<ViewerToServer> parseViewerMessage(std::string_view text);
// The same without the fast path for plain candidates (protocol.cpp): only for the tests and
// the fuzzer, which check that the two always agree.
Parsed<ViewerToServer> parseViewerMessageGeneral(std::string_view text);
Parsed<CameraToServer> parseCameraMessage(std::string_view text);
Parsed<ServerToCamera> parseServerToCamera(std::string_view text);
Parsed<ServerToViewer> parseServerToViewer(std::string_view text);

// Serializers. Offer: with `camera` (viewer -> server) it writes `camera`; without (server ->
// camera) it writes `iceServers`, an empty list too.
std::string serialize(const Offer& m);
std::string serialize(const Answer& m);
std::string serialize(const Candidate& m);
std::string serialize(const Bye& m);
std::string serialize(const Quality& m);
std::string serialize(const CameraEvent& m);
std::string serialize(const Challenge& m);
std::string serialize(const Auth& m);
std::string serialize(const Welcome& m);
std::string serialize(const Hello& m);
std::string serialize(const Status& m);
std::string serialize(const EventNotice& m);
std::string serialize(const Error& m);

}  // namespace seccam::protocol
