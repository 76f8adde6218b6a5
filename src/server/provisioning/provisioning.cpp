#include "server/provisioning/provisioning.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/identity.hpp"
#include "server/config/master_key.hpp"

namespace seccam::server {
namespace {

// TOML basic string: every value here is plain ASCII, but quote defensively anyway.
std::string tomlString(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

void writePrivateFile(const std::filesystem::path& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

store::UnixTime nowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string cameraConfigToml(const ProvisionedCamera& camera) {
  return "# seccam-camera configuration, written by `seccam-server camera provision`.\n"
         "# Keep it secret: the device key is the camera's identity.\n"
         "server = " + tomlString(camera.server) + "\n" +
         "camera-id = " + tomlString(camera.cameraId) + "\n" +
         "device-key = " + tomlString(camera.deviceKeyHex) + "\n";
}

std::vector<ProvisionedCamera> provisionCameras(store::Store& store,
                                                std::span<const std::uint8_t> masterKey,
                                                int count,
                                                const std::optional<std::filesystem::path>& outDir,
                                                const std::string& serverUrl) {
  if (outDir) ensurePrivateDirectory(*outDir);
  std::vector<ProvisionedCamera> out;
  for (int i = 0; i < count; ++i) {
    ProvisionedCamera camera;
    camera.cameraId = identity::newCameraId();
    auto deviceKey = identity::deriveDeviceKey(masterKey, camera.cameraId);
    camera.deviceKeyHex = crypto::toHex(deviceKey);
    camera.claimCode = identity::deriveClaimCode(deviceKey);
    camera.server = serverUrl;
    if (outDir) {
      camera.configFile = *outDir / (camera.cameraId + ".toml");
      // The file first: a recorded camera without its config would be useless.
      writePrivateFile(camera.configFile, cameraConfigToml(camera));
    }
    store.addCamera(camera.cameraId, nowUnix());
    out.push_back(std::move(camera));
  }
  return out;
}

std::string humanClaimCode(const std::string& claimCode) {
  auto half = claimCode.size() / 2;
  return claimCode.substr(0, half) + "-" + claimCode.substr(half);
}

std::string provisioningJsonLine(const ProvisionedCamera& camera) {
  nlohmann::json j{{"cameraId", camera.cameraId},
                   {"claimCode", camera.claimCode},
                   {"deviceKey", camera.deviceKeyHex},
                   {"server", camera.server}};
  return j.dump();
}

}  // namespace seccam::server
