// The camera's structured events: see agent_events.hpp.
#include "camera/agent_events.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace seccam::camera::event_log {

namespace {
std::mutex mutex;
std::FILE* file = nullptr;  // guarded by `mutex`; never closed (written until exit)
std::atomic<bool> enabled{false};
}  // namespace

std::string_view name(Kind kind) {
  switch (kind) {
    case Kind::ConnectFailed:
      return "connect_failed";
    case Kind::Connected:
      return "connected";
    case Kind::Disconnected:
      return "disconnected";
    case Kind::AuthRefused:
      return "auth_refused";
    case Kind::Replaced:
      return "replaced";
    case Kind::Reconnecting:
      return "reconnecting";
    case Kind::MessageIgnored:
      return "message_ignored";
    case Kind::ViewerJoined:
      return "viewer_joined";
    case Kind::ViewerRefused:
      return "viewer_refused";
    case Kind::ViewerAnswered:
      return "viewer_answered";
    case Kind::ViewerRenegotiated:
      return "viewer_renegotiated";
    case Kind::ViewerLeft:
      return "viewer_left";
    case Kind::ViewerClosed:
      return "viewer_closed";
    case Kind::EncoderStarted:
      return "encoder_started";
    case Kind::EncoderIdle:
      return "encoder_idle";
    case Kind::RenditionChanged:
      return "rendition_changed";
    case Kind::FeedChanged:
      return "feed_changed";
    case Kind::SourceStarted:
      return "source_started";
    case Kind::SourceRetrying:
      return "source_retrying";
    case Kind::ServerError:
      return "server_error";
    case Kind::MotionStarted:
      return "motion_started";
    case Kind::MotionEnded:
      return "motion_ended";
    case Kind::ClipSaved:
      return "clip_saved";
    case Kind::ClipDeleted:
      return "clip_deleted";
    case Kind::RecordingOff:
      return "recording_off";
    case Kind::Stopped:
      return "stopped";
  }
  return "unknown";
}

void open(const std::string& path) {
  if (path.empty()) return;
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) throw std::runtime_error("cannot open the event log " + path);
  std::lock_guard lock(mutex);
  if (file) std::fclose(file);
  file = f;
  enabled = true;
}

void emit(Kind kind, std::span<const Field> fields) {
  if (!enabled) return;
  nlohmann::json line;
  line["event"] = name(kind);
  line["at"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  for (const auto& f : fields) {
    std::visit([&](const auto& v) { line[std::string(f.key)] = v; }, f.value);
  }
  std::string text = line.dump() + "\n";
  std::lock_guard lock(mutex);
  if (!file) return;
  std::fwrite(text.data(), 1, text.size(), file);
  std::fflush(file);  // a reader (a test, a log shipper) sees each event as it happens
}

}  // namespace seccam::camera::event_log
