// /api/sessions: the account's sessions ("signed in on ..."), ending one, and signing out
// everywhere. Ending a session also closes the viewer WebSockets opened with it.
#include <nlohmann/json.hpp>

#include "server/api/api.hpp"
#include "server/auth/session_cookie.hpp"

namespace seccam::server::api {
namespace {

ApiResponse noContent() {
  ApiResponse response;
  response.status = 204;
  return response;
}

// A session's ID as the path gives it: decimal digits that fit, or nothing.
std::optional<std::int64_t> sessionId(const std::string& text) {
  constexpr std::size_t kMaxDigits = 18;
  if (text.empty() || text.size() > kMaxDigits) return std::nullopt;
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace

ApiResponse Api::listSessions(const ApiRequest& request, const store::UserRecord& user) {
  auto current = sessionHashOf(request.cookieHeader);
  auto list = nlohmann::json::array();
  for (const auto& session : deps_.store->sessionsOf(user.id, unixNow())) {
    list.push_back({{"id", std::to_string(session.id)},
                    {"createdAt", isoTime(session.createdAt)},
                    {"lastSeen", session.lastSeen ? nlohmann::json(isoTime(*session.lastSeen))
                                                  : nlohmann::json(nullptr)},
                    {"userAgent", session.userAgent},
                    {"current", session.tokenHash == current}});
  }
  ApiResponse response;
  response.body = nlohmann::json{{"sessions", list}}.dump();
  return response;
}

ApiResponse Api::endSession(const ApiRequest& request, const store::UserRecord& user,
                            const std::string& id) {
  auto parsed = sessionId(id);
  auto hash = parsed ? deps_.store->deleteSessionOf(user.id, *parsed) : std::nullopt;
  // Another account's session is 404, exactly like one that does not exist.
  if (!hash) return errorResponse(404, protocol::ErrorCode::NotFound, "No such session.");
  sessionsEnded({*hash});
  auto response = noContent();
  if (*hash == sessionHashOf(request.cookieHeader)) {
    response.headers.emplace_back("Set-Cookie", auth::expiredSessionCookie(secureCookies(request)));
  }
  return response;
}

ApiResponse Api::endAllSessions(const ApiRequest& request, const store::UserRecord& user) {
  sessionsEnded(deps_.store->deleteSessionsOf(user.id));
  auto response = noContent();
  response.headers.emplace_back("Set-Cookie", auth::expiredSessionCookie(secureCookies(request)));
  return response;
}

}  // namespace seccam::server::api
