// Reading a JSON request body field by field, collecting one message per bad field so that
// a 400 names every problem at once. Private to the API handlers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/api/api_types.hpp"

namespace seccam::server::api {

class RequestBody {
 public:
  // nullopt when the body is not a JSON object; `error` then holds the 400 to send (and
  // one log line says so).
  static std::optional<RequestBody> parse(const ApiRequest& request, ApiResponse& error);

  // A string field; records "<label> is required." or "<label> must be text." as needed.
  std::optional<std::string> text(const std::string& field, const std::string& label,
                                  bool required);
  // A string field checked by `rule` (returns a message for a bad value); nullopt when
  // missing, ill-typed or refused.
  template <class Rule>
  std::optional<std::string> text(const std::string& field, const std::string& label,
                                  bool required, Rule rule) {
    auto value = text(field, label, required);
    if (!value) return std::nullopt;
    if (auto message = rule(*value)) {
      problem(field, *message);
      return std::nullopt;
    }
    return value;
  }
  // A boolean field; records "<label> must be true or false." as needed.
  std::optional<bool> boolean(const std::string& field, const std::string& label, bool required);
  // The field as it came (null when missing), for nested objects and arrays.
  const nlohmann::json& raw(const std::string& field) const;
  void problem(const std::string& field, const std::string& message);
  bool hasProblems() const { return !problems_.empty(); }
  // 400 invalid_input with every field's message; the first one is the headline.
  ApiResponse invalid() const;
  // "username, password": which fields were refused, for a log line without their values.
  std::string problemFields() const;

 private:
  explicit RequestBody(nlohmann::json json) : json_(std::move(json)) {}
  nlohmann::json json_;
  std::vector<std::pair<std::string, std::string>> problems_;  // in the order found
};

}  // namespace seccam::server::api
