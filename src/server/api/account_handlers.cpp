// POST /api/register, /api/login, /api/logout.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "server/api/api.hpp"
#include "server/api/request_body.hpp"
#include "server/api/validation.hpp"
#include "server/auth/password_hash.hpp"
#include "server/auth/session_cookie.hpp"
#include "server/auth/session_token.hpp"

namespace seccam::server::api {
namespace {

ApiResponse userResponse(int status, const std::string& username, std::string cookie) {
  ApiResponse response;
  response.status = status;
  response.body = nlohmann::json{{"user", {{"username", username}}}}.dump();
  response.headers.emplace_back("Set-Cookie", std::move(cookie));
  return response;
}

// Usernames are only logged when well-formed, so a crafted one cannot forge log lines.
std::string loggable(const std::string& username) {
  return usernameProblem(username) ? std::string("<invalid>") : username;
}

const std::string kWrongCredentials = "Username or password is incorrect.";

}  // namespace

ApiResponse Api::registerAccount(const ApiRequest& request) {
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto username = body->text("username", "Username", true, usernameProblem);
  auto password = body->text("password", "Password", true, passwordProblem);
  auto cameraId = body->text("cameraId", "Camera ID", true, cameraIdProblem);
  auto claimCode = body->text("claimCode", "Claim code", true, claimCodeProblem);
  auto cameraName = body->text("cameraName", "Camera name", false, cameraNameProblem);
  if (body->hasProblems()) {
    spdlog::info("register refused from {}: invalid {}", request.clientAddress,
                 body->problemFields());
    return body->invalid();
  }

  // No account yet: claims are limited by address only.
  if (auto wait = claimWait(request.clientAddress, std::nullopt); wait.count() > 0) {
    spdlog::warn("register refused from {}: too many failed claims", request.clientAddress);
    return rateLimited(wait, "camera claims");
  }
  auto camera = claimableCamera(*cameraId, *claimCode, request.clientAddress, std::nullopt);
  if (!camera) return claimMismatch();
  if (camera->ownerId) return cameraTaken();
  // Cheap check first, so that a taken name costs no Argon2id; the insert re-checks.
  const std::string taken = "This username is taken. Choose another.";
  if (deps_.store->findUserByUsername(*username)) {
    return errorResponse(409, protocol::ErrorCode::Conflict, taken, {{"username", taken}});
  }

  std::string token;
  auto session = newSessionRecord(token, request.userAgent);
  auto result = deps_.store->registerUser(*username, auth::hashPassword(*password), *cameraId,
                                          cameraName.value_or(*cameraId), session);
  if (result.outcome == store::RegisterOutcome::usernameTaken) {
    return errorResponse(409, protocol::ErrorCode::Conflict, taken, {{"username", taken}});
  }
  if (result.outcome == store::RegisterOutcome::cameraUnavailable) return cameraTaken();
  // Where the account was made is where its owner is: never paced there.
  signIns_.succeeded(text::lowerCase(*username), request.clientAddress);
  spdlog::info("account {} registered with camera {}", loggable(*username), *cameraId);
  if (deps_.live.cameraClaimed) deps_.live.cameraClaimed(result.user->id, *cameraId);
  return userResponse(201, result.user->username,
                      auth::sessionCookie(token, secureCookies(request)));
}

ApiResponse Api::login(const ApiRequest& request) {
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto username = body->text("username", "Username", true);
  auto password = body->text("password", "Password", true);
  if (username && username->empty()) body->problem("username", "Enter your username.");
  if (password && password->empty()) body->problem("password", "Enter your password.");
  if (body->hasProblems()) {
    spdlog::info("sign-in refused from {}: invalid {}", request.clientAddress,
                 body->problemFields());
    return body->invalid();
  }

  // Case variants of a name are one account (usernames compare ignoring case).
  auto accountKey = text::lowerCase(*username);
  auto wait = signIns_.wait(accountKey, request.clientAddress);
  if (wait.count() > 0) {
    spdlog::warn("sign-in refused from {}: too many failures", request.clientAddress);
    return rateLimited(wait, "sign-ins");
  }

  auto user = deps_.store->findUserByUsername(*username);
  // An unknown username costs the same Argon2id check as a wrong password.
  bool passwordOk = auth::verifyPassword(*password, user ? user->passwordHash : auth::decoyPasswordHash());
  if (!user || !passwordOk) {
    signIns_.failed(accountKey, request.clientAddress);
    deps_.metrics->recordSignInFailure();
    spdlog::warn("sign-in failed for {} from {}", loggable(*username), request.clientAddress);
    return errorResponse(401, protocol::ErrorCode::Unauthorized, kWrongCredentials);
  }
  signIns_.succeeded(accountKey, request.clientAddress);
  return userResponse(200, user->username,
                      openSession(user->id, secureCookies(request), request.userAgent));
}

ApiResponse Api::logout(const ApiRequest& request) {
  auto token = auth::findSessionToken(request.cookieHeader);
  if (token && auth::isWellFormedSessionToken(*token)) {
    auto hash = auth::hashSessionToken(*token);
    deps_.store->deleteSession(hash);
    sessionsEnded({hash});
  }
  ApiResponse response;
  response.status = 204;
  response.headers.emplace_back("Set-Cookie", auth::expiredSessionCookie(secureCookies(request)));
  return response;
}

}  // namespace seccam::server::api
