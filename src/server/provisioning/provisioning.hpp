// The "factory" step: new camera identities recorded in the store, each with the config
// file its camera agent reads (`seccam-camera --config`) and the claim code for its label.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "server/store/store.hpp"

namespace seccam::server {

struct ProvisionedCamera {
  std::string cameraId;
  std::string claimCode;  // 10 Crockford base32 characters, as PROTOCOL.md derives it
  std::string deviceKeyHex;
  std::string server;  // camera WebSocket URL
  std::filesystem::path configFile;  // empty when the config was not written to a file
};

// The camera agent's config: exactly `server`, `camera-id` and `device-key`.
std::string cameraConfigToml(const ProvisionedCamera& camera);

// Creates `count` cameras and writes `<outDir>/<cameraId>.toml` (mode 0600) for each; with
// no `outDir`, writes no file at all: the caller hands the configs out (stdout) and the
// server keeps no device key.
std::vector<ProvisionedCamera> provisionCameras(store::Store& store,
                                                std::span<const std::uint8_t> masterKey,
                                                int count,
                                                const std::optional<std::filesystem::path>& outDir,
                                                const std::string& serverUrl);

// `sc-…  ABCDE-FGHIJ  path`: the human form for printing labels.
std::string humanClaimCode(const std::string& claimCode);
// One line of PROTOCOL.md "Provisioning output".
std::string provisioningJsonLine(const ProvisionedCamera& camera);

}  // namespace seccam::server
