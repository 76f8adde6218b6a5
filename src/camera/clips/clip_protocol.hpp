// The clip channel's requests and replies (docs/PROTOCOL.md, "The clip channel"): plain C++
// over the clips folder, no GStreamer, unit-tested on its own. ClipChannel carries them over
// a viewer's WebRTC data channel.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace seccam::camera::clips {

// The largest piece of a clip one request may ask for, and the chunk size on the wire (well
// within the 256 KiB max-message-size browsers offer).
constexpr std::uint64_t kMaxRangeBytes = 64ull * 1024 * 1024;
constexpr std::size_t kChunkBytes = 64 * 1024;
// A request's text (JSON) is never longer than this.
constexpr std::size_t kMaxRequestBytes = 1024;

enum class RequestKind { List, Still, Clip };

struct ClipRequest {
  RequestKind kind = RequestKind::List;
  std::int64_t req = 0;          // the page's number for it, echoed in every reply
  std::string id;                // still, clip
  std::optional<std::int64_t> fromMs, toMs;  // list: clips starting in [from, to)
  std::uint64_t offset = 0;                  // clip
  std::optional<std::uint64_t> length;       // clip: to the end when absent
};

struct RequestError {
  std::int64_t req = 0;  // 0 when the request had no usable number
  std::string code;      // bad-request, unknown-clip, busy
  std::string message;
};

// A clip's ID names its files: [A-Za-z0-9_-]{1,64}, nothing else (no dots, no slashes).
bool validClipId(std::string_view id);
// When the clip starts (ms since the Unix epoch) from an event ID (20261201-030405-678,
// UTC), or nullopt for an ID that is not an event's.
std::optional<std::int64_t> startOfEventId(std::string_view id);

std::variant<ClipRequest, RequestError> parseRequest(std::string_view text);

struct ClipInfo {
  std::string id;
  std::int64_t startMs = 0;
  std::int64_t durationMs = 0;  // from the MP4's movie header; 0 when it cannot be read
  std::uint64_t bytes = 0;
  bool hasStill = false;
};

// The finished clips in `folder` (<id>.mp4; a .part being written is not one), oldest first,
// those starting in [from, to) when given.
std::vector<ClipInfo> listClips(const std::filesystem::path& folder,
                                std::optional<std::int64_t> fromMs,
                                std::optional<std::int64_t> toMs);
// The duration in an MP4's movie header (moov/mvhd), in ms.
std::optional<std::int64_t> mp4DurationMs(const std::filesystem::path& file);
// <folder>/<id><ext> for a valid ID, else nullopt: the only way a request names a file.
std::optional<std::filesystem::path> clipFile(const std::filesystem::path& folder,
                                              std::string_view id, std::string_view ext);

std::string serializeList(std::int64_t req, const std::vector<ClipInfo>& clips);
std::string serializeError(const RequestError& error);
// The header before a still's or a clip's bytes: `bytes` binary messages' worth follow.
std::string serializeStillHeader(std::int64_t req, std::string_view id, std::uint64_t bytes);
std::string serializeClipHeader(std::int64_t req, std::string_view id, std::uint64_t offset,
                                std::uint64_t bytes, std::uint64_t total);

}  // namespace seccam::camera::clips
