#include "server/api/api_types.hpp"

#include <nlohmann/json.hpp>

namespace seccam::server::api {

ApiResponse errorResponse(int status, protocol::ErrorCode code, const std::string& message,
                          const std::map<std::string, std::string>& fields) {
  nlohmann::json error{{"code", protocol::wireName(code)}, {"message", message}};
  if (!fields.empty()) error["fields"] = fields;
  ApiResponse response;
  response.status = status;
  response.body = nlohmann::json{{"error", error}}.dump();
  return response;
}

}  // namespace seccam::server::api
