// SecCam wire messages (PROTOCOL.md): typed structs, one parse-and-validate function per
// direction, and serializers. The rest of the code never touches raw JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seccam::protocol {

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
struct Bye {
  std::string session;
  std::string reason;  // optional on the wire; empty when absent
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
struct Error {
  std::string session;  // empty when not about a session
  std::string code;
  std::string message;
};

// What each side may send.
using ViewerToServer = std::variant<Offer, Candidate, Bye>;
using CameraToServer = std::variant<Auth, Answer, Candidate, Bye>;
using ServerToCamera = std::variant<Challenge, Welcome, Offer, Candidate, Bye, Error>;
using ServerToViewer = std::variant<Hello, Status, Answer, Candidate, Bye, Error>;

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
Parsed<CameraToServer> parseCameraMessage(std::string_view text);
Parsed<ServerToCamera> parseServerToCamera(std::string_view text);
Parsed<ServerToViewer> parseServerToViewer(std::string_view text);

// Serializers. Offer: writes `camera` when non-empty and `iceServers` when non-empty.
std::string serialize(const Offer& m);
std::string serialize(const Answer& m);
std::string serialize(const Candidate& m);
std::string serialize(const Bye& m);
std::string serialize(const Challenge& m);
std::string serialize(const Auth& m);
std::string serialize(const Welcome& m);
std::string serialize(const Hello& m);
std::string serialize(const Status& m);
std::string serialize(const Error& m);

}  // namespace seccam::protocol
