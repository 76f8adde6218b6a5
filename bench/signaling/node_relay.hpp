// Load generator: the Node `ws` reference relay (node-relay/relay.mjs, the seed's design) as a
// target beside seccam-server. Cameras are provisioned by seccam-server's own command line into
// the relay's data folder (its master key is the relay's); viewer accounts are a JSON file the
// relay reads again when it changes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/server_process.hpp"

namespace seccam::bench {

class NodeRelay {
 public:
  // Why the relay cannot run here (no node, or `npm ci` not run in node-relay/), or nullopt.
  static std::optional<std::string> unavailable();

  // Starts `node relay.mjs` on a free loopback port and waits for its ready line (throws
  // std::runtime_error with its log when it does not come within 10 s).
  NodeRelay();
  ~NodeRelay();

  const std::string& host() const { return host_; }
  unsigned short port() const { return port_; }
  std::string origin() const { return "http://" + host_ + ":" + std::to_string(port_); }
  test::ChildProcess& process() { return process_; }

  std::vector<test::ProvisionedCamera> provision(int count);
  // An account owning `cameras`; returns its Cookie header value ("seccam_session=<token>").
  std::string addAccount(const std::string& username, const std::vector<std::string>& cameras);

 private:
  void writeAccounts();

  test::TempDir dir_;
  std::string host_ = "127.0.0.1";
  unsigned short port_;
  std::string accountsPath_;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> accounts_;  // token -> user
  test::ChildProcess process_;
};

}  // namespace seccam::bench
