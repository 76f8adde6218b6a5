#include "node_relay.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/crypto.hpp"

namespace seccam::bench {

namespace fs = std::filesystem;

std::optional<std::string> NodeRelay::unavailable() {
  if (std::string(SECCAM_NODE_BINARY).empty() || ::access(SECCAM_NODE_BINARY, X_OK) != 0)
    return std::string("no node program was found when the build was configured");
  if (!fs::exists(fs::path(SECCAM_NODE_RELAY_DIR) / "node_modules" / "ws" / "package.json"))
    return std::string("the Node relay's dependencies are missing: run `npm ci` in " SECCAM_NODE_RELAY_DIR
                       " (scripts/install-deps.sh does)");
  return std::nullopt;
}

NodeRelay::NodeRelay() : port_(test::freePort(host_)), accountsPath_(dir_.path() + "/accounts.json") {
  if (auto why = unavailable()) throw std::runtime_error(*why);
  // The master key comes first: the relay reads it at start.
  provision(1);
  writeAccounts();
  process_ = test::ChildProcess({SECCAM_NODE_BINARY, std::string(SECCAM_NODE_RELAY_DIR) + "/relay.mjs", "--port",
                                 std::to_string(port_), "--master-key", dir_.path() + "/data/master.key",
                                 "--accounts", accountsPath_},
                                dir_.path() + "/relay.log");
  bool up = test::waitFor([&] { return process_.running() && process_.log().find("node-relay ready") != std::string::npos; },
                          std::chrono::seconds(10));
  if (!up) throw std::runtime_error("the Node relay did not start:\n" + process_.log());
}

NodeRelay::~NodeRelay() { process_.stop(); }

std::vector<test::ProvisionedCamera> NodeRelay::provision(int count) {
  return test::provisionCameras(dir_.path() + "/data", host_ + ":" + std::to_string(port_), count);
}

std::string NodeRelay::addAccount(const std::string& username, const std::vector<std::string>& cameras) {
  auto token = crypto::toHex(crypto::randomBytes(32));
  accounts_[token] = {username, cameras};
  writeAccounts();
  return "seccam_session=" + token;
}

// Written aside and renamed: the relay never reads half a file.
void NodeRelay::writeAccounts() {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [token, account] : accounts_) {
    j[token] = {{"username", account.first}, {"cameras", account.second}};
  }
  auto temporary = accountsPath_ + ".new";
  std::ofstream(temporary) << j.dump();
  fs::rename(temporary, accountsPath_);
}

}  // namespace seccam::bench
