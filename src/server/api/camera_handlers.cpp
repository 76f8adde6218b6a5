// /api/cameras: list, claim, get, rename, unclaim. A camera the caller does not own is 404,
// exactly like one that does not exist.
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/protocol_json.hpp"
#include "server/api/api.hpp"
#include "server/api/request_body.hpp"
#include "server/api/validation.hpp"

namespace seccam::server::api {
namespace {

ApiResponse cameraResponse(int status, const protocol::CameraInfo& camera) {
  ApiResponse response;
  response.status = status;
  response.body = nlohmann::json{{"camera", camera}}.dump();
  return response;
}

ApiResponse notYours() {
  return errorResponse(404, protocol::ErrorCode::NotFound, "No such camera.");
}

}  // namespace

ApiResponse Api::listCameras(const store::UserRecord& user) {
  ApiResponse response;
  response.body = nlohmann::json{{"cameras", camerasOf(user.id)}}.dump();
  return response;
}

ApiResponse Api::claimCamera(const ApiRequest& request, const store::UserRecord& user) {
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto cameraId = body->text("cameraId", "Camera ID", true, cameraIdProblem);
  auto claimCode = body->text("claimCode", "Claim code", true, claimCodeProblem);
  auto name = body->text("name", "Name", false, cameraNameProblem);
  if (body->hasProblems()) {
    spdlog::info("claim refused for user {}: invalid {}", user.id, body->problemFields());
    return body->invalid();
  }

  auto accountKey = "user:" + std::to_string(user.id);
  auto wait = claimWait(request.clientAddress, accountKey);
  if (wait.count() > 0) {
    spdlog::warn("claim refused for user {} from {}: too many failures", user.id,
                 request.clientAddress);
    return rateLimited(wait, "camera claims");
  }
  auto camera = claimableCamera(*cameraId, *claimCode, request.clientAddress, accountKey);
  if (!camera) return claimMismatch();
  if (camera->ownerId == user.id) {
    const std::string already = "You have already added this camera.";
    return errorResponse(409, protocol::ErrorCode::Conflict, already, {{"cameraId", already}});
  }
  switch (deps_.store->claimCamera(*cameraId, user.id, name.value_or(*cameraId))) {
    case store::ClaimOutcome::claimed:
      break;
    case store::ClaimOutcome::alreadyClaimed:
      return cameraTaken();
    case store::ClaimOutcome::unknownCamera:
    case store::ClaimOutcome::revoked:
      return claimMismatch();
  }
  claims_.succeeded(accountKey, request.clientAddress);
  spdlog::info("user {} claimed camera {}", user.id, *cameraId);
  if (deps_.live.cameraClaimed) deps_.live.cameraClaimed(user.id, *cameraId);
  auto claimed = deps_.store->findCamera(*cameraId);
  if (!claimed) return notYours();
  return cameraResponse(201, cameraInfo(*claimed));
}

ApiResponse Api::getCamera(const store::UserRecord& user, const std::string& cameraId) {
  auto camera = deps_.store->findCamera(cameraId);
  if (!camera || camera->ownerId != user.id) return notYours();
  return cameraResponse(200, cameraInfo(*camera));
}

ApiResponse Api::renameCamera(const ApiRequest& request, const store::UserRecord& user,
                              const std::string& cameraId) {
  // Ownership first: someone else's camera is 404 whatever the body says.
  auto camera = deps_.store->findCamera(cameraId);
  if (!camera || camera->ownerId != user.id) return notYours();
  ApiResponse error;
  auto body = RequestBody::parse(request, error);
  if (!body) return error;
  auto name = body->text("name", "Name", true, cameraNameProblem);
  if (body->hasProblems()) {
    spdlog::info("rename refused for user {}: invalid {}", user.id, body->problemFields());
    return body->invalid();
  }
  if (!deps_.store->renameCamera(cameraId, user.id, *name)) return notYours();
  camera->name = *name;
  return cameraResponse(200, cameraInfo(*camera));
}

ApiResponse Api::unclaimCamera(const store::UserRecord& user, const std::string& cameraId) {
  if (!deps_.store->unclaimCamera(cameraId, user.id)) return notYours();
  spdlog::info("user {} removed camera {}", user.id, cameraId);
  if (deps_.live.cameraUnclaimed) deps_.live.cameraUnclaimed(user.id, cameraId);
  ApiResponse response;
  response.status = 204;
  return response;
}

}  // namespace seccam::server::api
