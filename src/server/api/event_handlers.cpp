// A camera's motion events (issue 13): GET /api/cameras/{id}/events, newest first, a page at a
// time. Only the owner lists them; another account's camera is 404 like one that does not
// exist. Metadata only: the pictures and clips stay on the camera.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "server/api/api.hpp"

namespace seccam::server::api {
namespace {
constexpr std::size_t kDefaultEventsLimit = 50;
constexpr std::size_t kMaxEventsLimit = 500;
// Milliseconds since the epoch, within JavaScript's exact integers (as the camera sends them).
constexpr std::int64_t kMaxTimeMs = 9'007'199'254'740'991LL;

std::optional<std::int64_t> parseInteger(std::string_view text, std::int64_t min,
                                         std::int64_t max) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

bool isEventId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
  });
}

// The page cursor: "<start>.<id>" of the last event of the page before (event IDs have no '.').
std::string cursorOf(const store::EventRecord& e) {
  return std::to_string(e.startMs) + "." + e.eventId;
}

nlohmann::json eventJson(const store::EventRecord& e) {
  nlohmann::json j{{"id", e.eventId},
                   {"kind", e.kind},
                   {"start", e.startMs},
                   {"score", e.score},
                   {"receivedAt", e.receivedAtMs}};
  j["end"] = e.endMs ? nlohmann::json(*e.endMs) : nlohmann::json(nullptr);
  j["durationMs"] = e.durationMs ? nlohmann::json(*e.durationMs) : nlohmann::json(nullptr);
  return j;
}
}  // namespace

ApiResponse Api::listEvents(const ApiRequest& request, const store::UserRecord& user,
                            const std::string& cameraId) {
  // The query: name=value pairs (a repeated name: the last counts).
  std::map<std::string, std::string> params;
  text::forEachQueryPair(request.query, [&](std::string_view name, std::string_view value) {
    params[std::string(name)] = std::string(value);
  });
  std::map<std::string, std::string> problems;
  store::EventQuery q;
  q.limit = kDefaultEventsLimit;
  auto time = [&](const char* name, std::optional<std::int64_t>& out) {
    auto it = params.find(name);
    if (it == params.end()) return;
    out = parseInteger(it->second, 0, kMaxTimeMs);
    if (!out) problems[name] = std::string("'") + name +
                               "' must be milliseconds since the Unix epoch (a non-negative integer).";
  };
  time("from", q.fromMs);
  time("to", q.toMs);
  if (auto it = params.find("limit"); it != params.end()) {
    auto limit = parseInteger(it->second, 1, static_cast<std::int64_t>(kMaxEventsLimit));
    if (limit) {
      q.limit = static_cast<std::size_t>(*limit);
    } else {
      problems["limit"] = "'limit' must be a whole number from 1 to " +
                          std::to_string(kMaxEventsLimit) + ".";
    }
  }
  if (auto it = params.find("before"); it != params.end()) {
    const auto& cursor = it->second;
    auto dot = cursor.find('.');
    auto start = dot == std::string::npos
                     ? std::nullopt
                     : parseInteger(std::string_view(cursor).substr(0, dot), 0, kMaxTimeMs);
    if (!start || !isEventId(std::string_view(cursor).substr(dot + 1))) {
      problems["before"] = "'before' must be the 'next' value of the page before.";
    } else {
      q.beforeStartMs = *start;
      q.beforeEventId = cursor.substr(dot + 1);
    }
  }
  if (q.fromMs && q.toMs && *q.toMs < *q.fromMs) problems["to"] = "'to' must not be before 'from'.";
  // Someone else's camera is 404 whatever the query says.
  auto camera = deps_.store->findCamera(cameraId);
  if (!camera || camera->ownerId != user.id) {
    return errorResponse(404, protocol::ErrorCode::NotFound, "No such camera.");
  }
  if (!problems.empty()) {
    return errorResponse(400, protocol::ErrorCode::InvalidInput, problems.begin()->second,
                         problems);
  }
  auto events = deps_.store->eventsOf(cameraId, user.id, q);
  if (!events) return errorResponse(404, protocol::ErrorCode::NotFound, "No such camera.");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : *events) list.push_back(eventJson(e));
  nlohmann::json body{{"events", std::move(list)}};
  body["next"] = events->size() == q.limit && !events->empty() ? nlohmann::json(cursorOf(events->back()))
                                                              : nlohmann::json(nullptr);
  ApiResponse response;
  response.status = 200;
  response.body = body.dump();
  return response;
}

}  // namespace seccam::server::api
