// The camera's structured events: one JSON object a line in the file given with `event-log`,
// for monitoring and for tests (which read these, never the wording of log lines). The names
// are a contract: docs/ARCHITECTURE.md lists them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace seccam::camera::event_log {

enum class Kind {
  ConnectFailed,       // an attempt failed before the WebSocket opened: {stage}
  Connected,           // authenticated to the server: {server}
  Disconnected,        // the server connection dropped after a welcome
  AuthRefused,         // the server refused the device key: {closeCode}
  Replaced,            // a newer connection of this camera replaced ours
  Reconnecting,        // next attempt scheduled: {inMs}
  MessageIgnored,      // a message from the server was not acted on: {type, session?, why}
  ViewerJoined,        // {session, codec, payloadType, viewers}
  ViewerRefused,       // an offer was refused with a bye: {session, reason}
  ViewerAnswered,      // {session, ms, encoders}
  ViewerRenegotiated,  // {session}
  ViewerLeft,          // {session, cause, reason?, viewers}
  ViewerClosed,    // the peer's teardown finished (ICE agent closed, TURN given back): {session}
  EncoderStarted,  // {codec, rendition, encoders}
  EncoderIdle,     // nobody watches that rendition of the codec any more: {codec, rendition}
  RenditionChanged,  // a viewer moved on the quality ladder: {session, rendition, width, height}
  FeedChanged,  // a viewer's frames now come from elsewhere: {session, rendition, origin}
  SourceStarted,   // {input: "raw" | "h264-passthrough"}
  SourceRetrying,  // the source failed or ended and is restarted: {inMs, why}
  ServerError,     // the server answered with an error: {code, session?}
  MotionStarted,   // {id, start (ms since the epoch), score}
  MotionEnded,     // {id, start, end, durationMs, score}
  ClipSaved,       // a clip is complete on disk: {id, path, bytes, thumbnail}
  ClipDeleted,     // retention removed a clip: {id}
  RecordingOff,    // clips cannot be kept: {why}
  Stopped,         // the process is about to exit
};

std::string_view name(Kind kind);

using Value = std::variant<std::string, std::int64_t, bool>;
struct Field {
  std::string_view key;
  Value value;
};

// Starts writing events to `path` (appending); empty: events are off. Throws
// std::runtime_error when the file cannot be opened.
void open(const std::string& path);
// Any thread. Costs nothing while events are off.
void emit(Kind kind, std::span<const Field> fields);
inline void emit(Kind kind, std::initializer_list<Field> fields = {}) {
  emit(kind, std::span<const Field>(fields.begin(), fields.size()));
}

}  // namespace seccam::camera::event_log
