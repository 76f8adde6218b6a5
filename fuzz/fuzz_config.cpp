// Configuration from a file's text: the input up to the first NUL byte is a TOML file (read
// through Settings::loadToml from a real file, as --config does); after it, lines of
// "key=value" are the variables and flags layered on top. Both programs read the same text:
// seccam-server (loadServerConfig, and the camera URL provisioning derives from it) and
// seccam-camera (loadCameraConfig: --config plus the values as --key flags).
// Property: a setting is either accepted or refused with ConfigError (a message naming it),
// never with another exception, and what is accepted is within its documented range.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "camera/camera_config.hpp"
#include "common/settings.hpp"
#include "fuzz_check.hpp"
#include "server/config/server_config.hpp"

extern char** environ;

using namespace seccam;

namespace {

std::string configPath;

void writeConfig(std::string_view text) {
  std::ofstream out(configPath, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::vector<std::pair<std::string, std::string>> overrideLines(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty() && out.size() < 16) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    out.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return out;
}

void serverConfig(const std::vector<std::pair<std::string, std::string>>& overrides) {
  Settings settings(server::kEnvPrefix);
  try {
    settings.loadToml(configPath);
    for (const auto& [key, value] : overrides) settings.setOverride(key, value);
    auto config = server::loadServerConfig(settings);
    FUZZ_CHECK(config.ioThreads >= 1 && config.ioThreads <= 256);
    FUZZ_CHECK(!config.dataDir.empty());
    FUZZ_CHECK(config.turn.ttl.count() >= 60);
    server::cameraWebSocketUrl(config);
  } catch (const ConfigError&) {
  }
}

void cameraConfig(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> args = {"seccam-camera", "--config", configPath};
  for (const auto& [key, value] : overrides) {
    args.push_back("--" + key);
    args.push_back(value);
  }
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  auto result = camera::loadCameraConfig(static_cast<int>(argv.size()), argv.data());
  if (result.config) {
    FUZZ_CHECK(result.exitCode == 0);
    FUZZ_CHECK(result.config->width % 2 == 0 && result.config->height % 2 == 0);
    FUZZ_CHECK(result.config->deviceKeyHex.size() == 64);
  } else {
    FUZZ_CHECK(result.exitCode != 0 || !result.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Only the input may configure: no SECCAM_* variable of the machine running the fuzzer.
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (entry.starts_with("SECCAM_")) names.push_back(entry.substr(0, entry.find('=')));
  }
  for (const auto& name : names) ::unsetenv(name.c_str());
  configPath = "/tmp/seccam-fuzz-config-" + std::to_string(::getpid()) + ".toml";
  std::atexit([] { ::unlink(configPath.c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  auto text = fuzz::textOf(data, size);
  auto nul = text.find('\0');
  writeConfig(text.substr(0, nul));
  auto overrides = overrideLines(nul == std::string_view::npos ? "" : text.substr(nul + 1));
  serverConfig(overrides);
  cameraConfig(overrides);
  // The list and address forms that variables and flags use.
  for (const auto& [key, value] : overrides) {
    for (const auto& item : splitList(value)) FUZZ_CHECK(!item.empty());
    try {
      parseHostPort(value);
    } catch (const ConfigError&) {
    }
  }
  return 0;
}
