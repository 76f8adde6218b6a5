// The clip channel's requests and replies: see clip_protocol.hpp.
#include "camera/clips/clip_protocol.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace seccam::camera::clips {

namespace fs = std::filesystem;
using nlohmann::json;

bool validClipId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
}

std::optional<std::int64_t> startOfEventId(std::string_view id) {
  if (id.size() != 19) return std::nullopt;
  std::string text(id);
  std::tm utc{};
  int ms = 0;
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d%2d%2d-%2d%2d%2d-%3d%n", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &ms, &used) != 7 ||
      used != static_cast<int>(text.size()))
    return std::nullopt;
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&utc)) * 1000 + ms;
}

namespace {
RequestError bad(std::int64_t req, std::string message) {
  return RequestError{req, "bad-request", std::move(message)};
}

// A whole number field: absent → nullopt; present but not a non-negative integer → error.
bool readCount(const json& j, const char* key, std::optional<std::int64_t>& out) {
  auto it = j.find(key);
  if (it == j.end()) return true;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) return false;
  out = it->get<std::int64_t>();
  return true;
}
}  // namespace

std::variant<ClipRequest, RequestError> parseRequest(std::string_view text) {
  if (text.size() > kMaxRequestBytes) return bad(0, "the request is too long");
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad(0, "the request is not a JSON object");
  std::optional<std::int64_t> req;
  if (!readCount(j, "req", req) || !req) return bad(0, "`req` must be a non-negative integer");
  ClipRequest out;
  out.req = *req;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return bad(out.req, "`type` is missing");
  const auto& kind = type->get_ref<const std::string&>();
  if (kind == "list") {
    out.kind = RequestKind::List;
    if (!readCount(j, "from", out.fromMs) || !readCount(j, "to", out.toMs))
      return bad(out.req, "`from` and `to` must be times in ms since the Unix epoch");
    return out;
  }
  if (kind != "still" && kind != "clip") return bad(out.req, "unknown request type");
  out.kind = kind == "still" ? RequestKind::Still : RequestKind::Clip;
  auto id = j.find("id");
  if (id == j.end() || !id->is_string() || !validClipId(id->get_ref<const std::string&>()))
    return bad(out.req, "`id` must be 1-64 of A-Z a-z 0-9 _ -");
  out.id = id->get<std::string>();
  if (out.kind == RequestKind::Clip) {
    std::optional<std::int64_t> offset, length;
    if (!readCount(j, "offset", offset) || !readCount(j, "length", length))
      return bad(out.req, "`offset` and `length` must be non-negative integers");
    out.offset = static_cast<std::uint64_t>(offset.value_or(0));
    if (length) out.length = static_cast<std::uint64_t>(*length);
  }
  return out;
}

std::optional<fs::path> clipFile(const fs::path& folder, std::string_view id, std::string_view ext) {
  if (!validClipId(id)) return std::nullopt;
  return folder / (std::string(id) + std::string(ext));
}

namespace {
std::uint64_t bigEndian(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

// Finds the box `type` among the boxes in [from, to) of `in`: its payload's start and end.
std::optional<std::pair<std::uint64_t, std::uint64_t>> findBox(std::ifstream& in, std::uint64_t from,
                                                               std::uint64_t to, const char* type) {
  std::uint64_t at = from;
  for (int boxes = 0; boxes < 4096 && at + 8 <= to; ++boxes) {
    std::array<unsigned char, 16> h{};
    in.seekg(static_cast<std::streamoff>(at));
    if (!in.read(reinterpret_cast<char*>(h.data()), 8)) return std::nullopt;
    std::uint64_t size = bigEndian(h.data(), 4);
    std::uint64_t header = 8;
    if (size == 1) {
      if (!in.read(reinterpret_cast<char*>(h.data() + 8), 8)) return std::nullopt;
      size = bigEndian(h.data() + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return std::nullopt;
    if (std::equal(type, type + 4, h.data() + 4)) return std::make_pair(at + header, at + size);
    at += size;
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::int64_t> mp4DurationMs(const fs::path& file) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  auto moov = findBox(in, 0, size, "moov");
  if (!moov) return std::nullopt;
  auto mvhd = findBox(in, moov->first, moov->second, "mvhd");
  if (!mvhd || mvhd->second - mvhd->first < 32) return std::nullopt;
  std::array<unsigned char, 32> b{};
  in.seekg(static_cast<std::streamoff>(mvhd->first));
  if (!in.read(reinterpret_cast<char*>(b.data()), b.size())) return std::nullopt;
  std::uint64_t timescale = 0, duration = 0;
  if (b[0] == 1) {  // version 1: 64-bit times
    timescale = bigEndian(b.data() + 20, 4);
    duration = bigEndian(b.data() + 24, 8);
  } else {
    timescale = bigEndian(b.data() + 12, 4);
    duration = bigEndian(b.data() + 16, 4);
  }
  if (timescale == 0) return std::nullopt;
  return static_cast<std::int64_t>(duration * 1000 / timescale);
}

std::vector<ClipInfo> listClips(const fs::path& folder, std::optional<std::int64_t> fromMs,
                                std::optional<std::int64_t> toMs) {
  std::vector<ClipInfo> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec) || entry.path().extension() != ".mp4") continue;
    std::string id = entry.path().stem().string();
    if (!validClipId(id)) continue;
    auto start = startOfEventId(id);
    if (!start) continue;
    if ((fromMs && *start < *fromMs) || (toMs && *start >= *toMs)) continue;
    ClipInfo info;
    info.id = id;
    info.startMs = *start;
    info.bytes = entry.file_size(ec);
    info.durationMs = mp4DurationMs(entry.path()).value_or(0);
    info.hasStill = fs::is_regular_file(folder / (id + ".jpg"), ec);
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ClipInfo& a, const ClipInfo& b) {
    return a.startMs != b.startMs ? a.startMs < b.startMs : a.id < b.id;
  });
  return out;
}

std::string serializeList(std::int64_t req, const std::vector<ClipInfo>& clips) {
  json list = json::array();
  for (const auto& c : clips)
    list.push_back({{"id", c.id},
                    {"start", c.startMs},
                    {"durationMs", c.durationMs},
                    {"bytes", c.bytes},
                    {"still", c.hasStill}});
  return json{{"type", "list"}, {"req", req}, {"clips", std::move(list)}}.dump();
}

std::string serializeError(const RequestError& error) {
  return json{{"type", "error"}, {"req", error.req}, {"code", error.code}, {"message", error.message}}
      .dump();
}

std::string serializeStillHeader(std::int64_t req, std::string_view id, std::uint64_t bytes) {
  return json{{"type", "still"}, {"req", req}, {"id", id}, {"bytes", bytes}}.dump();
}

std::string serializeClipHeader(std::int64_t req, std::string_view id, std::uint64_t offset,
                                std::uint64_t bytes, std::uint64_t total) {
  return json{{"type", "clip"}, {"req", req}, {"id", id}, {"offset", offset}, {"bytes", bytes},
              {"total", total}}
      .dump();
}

}  // namespace seccam::camera::clips
