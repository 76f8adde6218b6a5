// The operator's command line: provisioning output and files, the master key, camera
// list and revoke, and --help.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "support/clients.hpp"
#include "support/server_process.hpp"
#include "support/test_store.hpp"

using namespace seccam::test;
namespace fs = std::filesystem;

namespace {
unsigned fileMode(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

std::vector<nlohmann::json> jsonLines(const std::string& output) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

// key = "value" lines of a TOML file, comments skipped.
std::map<std::string, std::string> tomlStrings(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::regex line(R"re(^([a-z-]+) = "([^"]*)"$)re");
  for (std::string text; std::getline(in, text);) {
    if (text.empty() || text[0] == '#') continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(text, m, line)) << text;
    out[m[1]] = m[2];
  }
  return out;
}
}  // namespace

TEST(Cli, ProvisionJsonPrintsOneCameraPerLineWithItsConfigFile) {
  seccam::crypto::initialize();
  TempDir data, out;
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--count", "3",
                            "--data", data.path(), "--out", out.path(), "--listen",
                            "127.0.0.1:9999"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  auto cameras = jsonLines(result.output);
  ASSERT_EQ(cameras.size(), 3u) << result.output;

  auto keyFile = data.path() + "/master.key";
  EXPECT_EQ(fileMode(keyFile), 0600u);
  if (testStoreIsPostgres()) {
    EXPECT_FALSE(fs::exists(data.path() + "/seccam.db"));  // the cameras went to PostgreSQL
  } else {
    EXPECT_EQ(fileMode(data.path() + "/seccam.db"), 0600u);  // it holds password hashes
  }
  auto masterKeyText = readFile(keyFile);
  ASSERT_EQ(masterKeyText.size(), 32u);
  std::vector<std::uint8_t> masterKey(masterKeyText.begin(), masterKeyText.end());

  std::set<std::string> ids;
  for (const auto& camera : cameras) {
    std::string id = camera["cameraId"];
    ids.insert(id);
    EXPECT_TRUE(std::regex_match(id, std::regex("sc-[0-9A-Z]{16}"))) << id;
    auto deviceKey = seccam::identity::deriveDeviceKey(masterKey, id);
    EXPECT_EQ(camera["deviceKey"], seccam::crypto::toHex(deviceKey));
    EXPECT_EQ(camera["claimCode"], seccam::identity::deriveClaimCode(deviceKey));
    EXPECT_EQ(camera["server"], "ws://127.0.0.1:9999/ws/camera");
    EXPECT_EQ(camera.size(), 4u);

    auto configPath = out.path() + "/" + id + ".toml";
    EXPECT_EQ(fileMode(configPath), 0600u);
    auto config = tomlStrings(configPath);
    EXPECT_EQ(config, (std::map<std::string, std::string>{{"server", camera["server"]},
                                                           {"camera-id", id},
                                                           {"device-key", camera["deviceKey"]}}));
  }
  EXPECT_EQ(ids.size(), 3u);
}

TEST(Cli, ProvisionUsesTheSameMasterKeyNextTime) {
  TempDir data;
  auto first = runProgram({serverBinary(), "camera", "provision", "--json", "--data", data.path()});
  auto key = readFile(data.path() + "/master.key");
  auto second = runProgram({serverBinary(), "camera", "provision", "--json", "--data", data.path()});
  ASSERT_EQ(second.exitCode, 0) << second.output;
  EXPECT_EQ(readFile(data.path() + "/master.key"), key);
  EXPECT_EQ(jsonLines(second.output).at(0)["server"], "ws://127.0.0.1:8080/ws/camera");
}

TEST(Cli, ProvisionPrintsLabelsForPeopleWithoutJson) {
  TempDir data;
  auto result = runProgram({serverBinary(), "camera", "provision", "--data", data.path()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex("Camera ID: +sc-[0-9A-Z]{16}")))
      << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex("Claim code: +[0-9A-Z]{5}-[0-9A-Z]{5}")))
      << result.output;
  EXPECT_TRUE(fs::is_directory(data.path() + "/cameras"));
}

TEST(Cli, ProvisionDerivesTheUrlFromPublicUrl) {
  TempDir data;
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--data", data.path(),
                            "--public-url", "https://cams.example.org/"});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(jsonLines(result.output).at(0)["server"], "wss://cams.example.org/ws/camera");
}

TEST(Cli, ListAndRevoke) {
  TempDir data;
  auto provisioned = jsonLines(
      runProgram({serverBinary(), "camera", "provision", "--json", "--count", "2", "--data",
                  data.path()}).output);
  ASSERT_EQ(provisioned.size(), 2u);
  std::string revoked = provisioned[0]["cameraId"], kept = provisioned[1]["cameraId"];

  auto revoke = runProgram({serverBinary(), "camera", "revoke", revoked, "--data", data.path()});
  EXPECT_EQ(revoke.exitCode, 0) << revoke.output;
  auto list = runProgram({serverBinary(), "camera", "list", "--data", data.path()});
  ASSERT_EQ(list.exitCode, 0) << list.output;
  EXPECT_TRUE(std::regex_search(list.output, std::regex(revoked + " .* revoked "))) << list.output;
  EXPECT_TRUE(std::regex_search(list.output, std::regex(kept + " .* unclaimed "))) << list.output;

  auto unknown = runProgram({serverBinary(), "camera", "revoke", "sc-NOSUCHCAMERA00", "--data",
                             data.path()});
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_NE(unknown.output.find("no camera sc-NOSUCHCAMERA00"), std::string::npos);
}

TEST(Cli, ConfigFileAndEnvironmentAreLayeredUnderFlags) {
  TempDir data, other;
  auto configPath = data.path() + "/seccam.toml";
  std::ofstream(configPath) << "listen = \"127.0.0.1:7001\"\ndata = \"" << other.path() << "\"\n";
  // The file sets both; the flag wins for data.
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--config",
                            configPath, "--data", data.path()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(jsonLines(result.output).at(0)["server"], "ws://127.0.0.1:7001/ws/camera");
  EXPECT_TRUE(fs::exists(data.path() + "/master.key"));
  EXPECT_FALSE(fs::exists(other.path() + "/master.key"));
  // An environment variable beats the file.
  auto env = runProgram({serverBinary(), "camera", "provision", "--json", "--config", configPath,
                         "--data", data.path()},
                        {{"SECCAM_LISTEN", "127.0.0.1:7002"}});
  EXPECT_EQ(jsonLines(env.output).at(0)["server"], "ws://127.0.0.1:7002/ws/camera");
}

TEST(Cli, BadConfigValuesAreClearErrors) {
  TempDir data;
  auto result = runProgram({serverBinary(), "serve", "--data", data.path(), "--listen", "nonsense"});
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.output.find("nonsense"), std::string::npos) << result.output;
  auto ttl = runProgram({serverBinary(), "serve", "--data", data.path(), "--turn-ttl", "soon"});
  EXPECT_EQ(ttl.exitCode, 1);
  EXPECT_NE(ttl.output.find("turn.ttl"), std::string::npos) << ttl.output;
  auto ping = runProgram(
      {serverBinary(), "serve", "--data", data.path(), "--signaling-ping-interval", "0"});
  EXPECT_EQ(ping.exitCode, 1);
  EXPECT_NE(ping.output.find("signaling.ping-interval"), std::string::npos) << ping.output;
}

TEST(Cli, HelpDocumentsEveryOption) {
  auto top = runProgram({serverBinary(), "--help"});
  EXPECT_EQ(top.exitCode, 0);
  for (std::string env :
       {"SECCAM_LISTEN", "SECCAM_DATA", "SECCAM_PUBLIC_URL", "SECCAM_WEB_ROOT", "SECCAM_LOG_LEVEL",
        "SECCAM_THREADS", "SECCAM_TLS_CERT", "SECCAM_TLS_KEY", "SECCAM_TURN_SECRET",
        "SECCAM_TURN_URLS", "SECCAM_TURN_TTL", "SECCAM_MASTER_KEY_FILE",
        "SECCAM_SIGNALING_PING_INTERVAL", "SECCAM_SIGNALING_CAMERA_AUTH_TIMEOUT",
        "SECCAM_SIGNALING_REVOCATION_SWEEP_INTERVAL", "SECCAM_STORE_URL",
        "SECCAM_STORE_POOL_SIZE"}) {
    EXPECT_NE(top.output.find(env), std::string::npos) << env;
  }
  auto serve = runProgram({serverBinary(), "serve", "--help"});
  for (std::string flag :
       {"--listen", "--data", "--config", "--public-url", "--web-root", "--log-level", "--threads",
        "--tls-cert", "--tls-key", "--turn-secret", "--turn-urls", "--turn-ttl",
        "--master-key-file", "--signaling-ping-interval", "--signaling-camera-auth-timeout",
        "--signaling-revocation-sweep-interval", "--store-url", "--store-pool-size"}) {
    EXPECT_NE(serve.output.find(flag), std::string::npos) << flag;
  }
  auto provision = runProgram({serverBinary(), "camera", "provision", "--help"});
  for (std::string flag : {"--count", "--out", "--json", "--listen", "--data", "--config",
                           "--store-url"}) {
    EXPECT_NE(provision.output.find(flag), std::string::npos) << flag;
  }
}

namespace {
// Runs seccam-server with stdout alone captured: stderr goes to `errFile`.
RunResult runStdoutOnly(const std::vector<std::string>& args, const std::string& errFile) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"$ERR_FILE\"",
                                   serverBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProgram(argv, {{"ERR_FILE", errFile}});
}

std::vector<std::uint8_t> keyBytes(const std::string& path) {
  auto text = readFile(path);
  return {text.begin(), text.end()};
}

// Every file under `dir`, recursively.
std::vector<std::string> filesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path().filename().string());
  }
  return out;
}
}  // namespace

TEST(Cli, ProvisionToStdoutKeepsNoConfigOnTheServer) {
  TempDir data, logs;
  auto errFile = logs.path() + "/stderr.txt";
  auto result = runStdoutOnly({"camera", "provision", "--out", "-", "--data", data.path(),
                               "--listen", "127.0.0.1:9999"},
                              errFile);
  ASSERT_EQ(result.exitCode, 0) << result.output << readFile(errFile);
  // stdout is exactly the camera's config file.
  auto configPath = logs.path() + "/camera.toml";
  std::ofstream(configPath) << result.output;
  auto config = tomlStrings(configPath);
  ASSERT_EQ(config.size(), 3u) << result.output;
  auto id = config["camera-id"];
  EXPECT_EQ(config["server"], "ws://127.0.0.1:9999/ws/camera");
  auto deviceKey = seccam::identity::deriveDeviceKey(keyBytes(data.path() + "/master.key"), id);
  EXPECT_EQ(config["device-key"], seccam::crypto::toHex(deviceKey));
  // The label (ID and claim code) went to stderr, for a person.
  auto label = readFile(errFile);
  EXPECT_NE(label.find(id), std::string::npos) << label;
  auto claimCode = seccam::identity::deriveClaimCode(deviceKey);
  EXPECT_NE(label.find(claimCode.substr(0, 5) + "-" + claimCode.substr(5)), std::string::npos)
      << label;
  // Recorded, but no file on the server holds the device key.
  EXPECT_FALSE(fs::exists(data.path() + "/cameras"));
  for (const auto& name : filesUnder(data.path())) {
    EXPECT_TRUE(name == "master.key" || name.starts_with("seccam.db")) << name;
  }
  auto list = runProgram({serverBinary(), "camera", "list", "--data", data.path()});
  EXPECT_TRUE(std::regex_search(list.output, std::regex(id + " .* unclaimed "))) << list.output;
}

TEST(Cli, ProvisionJsonToStdoutWritesNoConfigFiles) {
  TempDir data;
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--count", "3",
                            "--out", "-", "--data", data.path()});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  auto cameras = jsonLines(result.output);
  ASSERT_EQ(cameras.size(), 3u) << result.output;
  auto masterKey = keyBytes(data.path() + "/master.key");
  for (const auto& camera : cameras) {
    EXPECT_EQ(camera["deviceKey"], seccam::crypto::toHex(seccam::identity::deriveDeviceKey(
                                       masterKey, camera["cameraId"].get<std::string>())));
  }
  EXPECT_FALSE(fs::exists(data.path() + "/cameras"));
  EXPECT_FALSE(fs::exists("-"));  // not a folder named "-" in the working directory
}

TEST(Cli, ProvisionToStdoutRefusesSeveralCamerasWithoutJson) {
  TempDir data;
  auto result = runProgram({serverBinary(), "camera", "provision", "--count", "2", "--out", "-",
                            "--data", data.path()});
  EXPECT_EQ(result.exitCode, 2) << result.output;
  // Refused before anything was made.
  EXPECT_FALSE(fs::exists(data.path() + "/master.key"));
  EXPECT_FALSE(fs::exists(data.path() + "/seccam.db"));
}

TEST(Cli, MasterKeyFileOutsideTheDataFolderIsCreatedPrivateAndUsed) {
  TempDir data, keys;
  auto keyFile = keys.path() + "/fleet/master.key";  // its folder does not exist yet
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--data",
                            data.path(), "--master-key-file", keyFile});
  ASSERT_EQ(result.exitCode, 0) << result.output;
  EXPECT_EQ(fileMode(keyFile), 0600u);
  EXPECT_EQ(fileMode(keys.path() + "/fleet"), 0700u);
  EXPECT_FALSE(fs::exists(data.path() + "/master.key"));
  auto camera = jsonLines(result.output).at(0);
  EXPECT_EQ(camera["deviceKey"], seccam::crypto::toHex(seccam::identity::deriveDeviceKey(
                                     keyBytes(keyFile), camera["cameraId"].get<std::string>())));
}

TEST(Cli, AMasterKeyOthersCanReadIsRefused) {
  TempDir data;
  auto keyFile = data.path() + "/master.key";
  {
    std::ofstream out(keyFile, std::ios::binary);
    out << std::string(32, '\x42');
  }
  for (unsigned mode : {0644u, 0640u, 0604u}) {
    ::chmod(keyFile.c_str(), mode);
    auto provision =
        runProgram({serverBinary(), "camera", "provision", "--json", "--data", data.path()});
    EXPECT_EQ(provision.exitCode, 1) << provision.output;
    EXPECT_TRUE(jsonLines(provision.output).empty()) << provision.output;
    EXPECT_NE(provision.output.find(keyFile), std::string::npos) << provision.output;
    // Bounded: a server that accepted the key would serve until killed (exit 124).
    auto serve = runProgram({"/usr/bin/timeout", "10", serverBinary(), "serve", "--data",
                             data.path(), "--listen", "127.0.0.1:0"});
    EXPECT_EQ(serve.exitCode, 1) << serve.output;
  }
  EXPECT_EQ(fileMode(keyFile), 0604u);  // reported, not silently changed
  auto list = runProgram({serverBinary(), "camera", "list", "--data", data.path()});
  EXPECT_NE(list.output.find("no cameras provisioned"), std::string::npos) << list.output;
  // Made private by its owner, the same key is used.
  ::chmod(keyFile.c_str(), 0400);
  auto ok = runProgram({serverBinary(), "camera", "provision", "--json", "--data", data.path()});
  ASSERT_EQ(ok.exitCode, 0) << ok.output;
  auto camera = jsonLines(ok.output).at(0);
  EXPECT_EQ(camera["deviceKey"],
            seccam::crypto::toHex(seccam::identity::deriveDeviceKey(
                std::vector<std::uint8_t>(32, 0x42), camera["cameraId"].get<std::string>())));
}

TEST(Cli, AMasterKeyThatIsNoFileIsRefused) {
  TempDir data, keys;
  auto result = runProgram({serverBinary(), "camera", "provision", "--json", "--data",
                            data.path(), "--master-key-file", keys.path()});
  EXPECT_EQ(result.exitCode, 1) << result.output;
  EXPECT_TRUE(jsonLines(result.output).empty()) << result.output;
  EXPECT_NE(result.output.find(keys.path()), std::string::npos) << result.output;
}
