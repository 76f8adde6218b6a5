// nlohmann::json conversions of the shared protocol types, for code that builds JSON bodies
// (the HTTP API). Kept out of protocol.hpp so that most files need not include nlohmann.
#pragma once

#include <nlohmann/json.hpp>

#include "common/protocol.hpp"

namespace seccam::protocol {

void to_json(nlohmann::json& j, const IceServer& s);
void to_json(nlohmann::json& j, const CameraInfo& c);

}  // namespace seccam::protocol
