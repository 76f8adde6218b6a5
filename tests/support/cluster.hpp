// Test support: a deployment of several seccam-server nodes on this machine, sharing one
// Redis ([bus] url, RedisProcess) and one store (the same data folder: one SQLite file in
// WAL mode, which several processes may share, and one master key). Each node listens on
// its own free port and logs to its own file. The nodes start one after the other, so the
// first creates the master key and the database that the others open.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/redis_process.hpp"
#include "support/server_process.hpp"

namespace seccam::test {

class Cluster {
 public:
  // `nodes` servers with `serve` flags `extraArgs` and environment `env` each.
  explicit Cluster(int nodes = 2, std::vector<std::string> extraArgs = {},
                   std::map<std::string, std::string> env = {});
  ~Cluster();

  RedisProcess& redis() { return *redis_; }
  ServerProcess& node(std::size_t i) { return *nodes_.at(i); }
  std::size_t size() const { return nodes_.size(); }
  const std::string& dataDir() const { return data_.path(); }

  // GET /healthz status of node i (0 when it does not answer).
  int health(std::size_t i);

 private:
  TempDir data_;
  TempDir logs_;
  std::unique_ptr<RedisProcess> redis_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
};

}  // namespace seccam::test
