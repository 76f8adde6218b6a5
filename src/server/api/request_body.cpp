#include "server/api/request_body.hpp"

#include <spdlog/spdlog.h>

#include <map>

namespace seccam::server::api {

std::optional<RequestBody> RequestBody::parse(const ApiRequest& request, ApiResponse& error) {
  auto json = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    spdlog::info("{} {} refused from {}: body is not a JSON object", request.method, request.path,
                 request.clientAddress);
  }
  if (json.is_discarded()) {
    error = errorResponse(400, protocol::ErrorCode::InvalidInput,
                          "The request body is not valid JSON.");
    return std::nullopt;
  }
  if (!json.is_object()) {
    error = errorResponse(400, protocol::ErrorCode::InvalidInput,
                          "The request body must be a JSON object.");
    return std::nullopt;
  }
  return RequestBody(std::move(json));
}

std::optional<std::string> RequestBody::text(const std::string& field, const std::string& label,
                                             bool required) {
  auto it = json_.find(field);
  if (it == json_.end() || (!required && it->is_null())) {
    if (required) problem(field, label + " is required.");
    return std::nullopt;
  }
  if (!it->is_string()) {
    problem(field, label + " must be text.");
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<bool> RequestBody::boolean(const std::string& field, const std::string& label,
                                         bool required) {
  auto it = json_.find(field);
  if (it == json_.end() || (!required && it->is_null())) {
    if (required) problem(field, label + " is required.");
    return std::nullopt;
  }
  if (!it->is_boolean()) {
    problem(field, label + " must be true or false.");
    return std::nullopt;
  }
  return it->get<bool>();
}

const nlohmann::json& RequestBody::raw(const std::string& field) const {
  static const nlohmann::json missing;
  auto it = json_.find(field);
  return it == json_.end() ? missing : *it;
}

void RequestBody::problem(const std::string& field, const std::string& message) {
  for (const auto& [name, _] : problems_) {
    if (name == field) return;  // the first problem of a field is the one to fix first
  }
  problems_.emplace_back(field, message);
}

ApiResponse RequestBody::invalid() const {
  std::map<std::string, std::string> fields(problems_.begin(), problems_.end());
  return errorResponse(400, protocol::ErrorCode::InvalidInput, problems_.front().second, fields);
}

std::string RequestBody::problemFields() const {
  std::string out;
  for (const auto& [name, _] : problems_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace seccam::server::api
