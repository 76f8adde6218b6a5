#include "support/cluster.hpp"

#include <cstdlib>
#include <filesystem>

#include "support/clients.hpp"

namespace seccam::test {

Cluster::Cluster(int nodes, std::vector<std::string> extraArgs,
                 std::map<std::string, std::string> env)
    : redis_(std::make_unique<RedisProcess>()) {
  for (int i = 0; i < nodes; ++i) {
    auto args = extraArgs;
    // SECCAM_TEST_CLUSTER_NO_BUS=1 starts the nodes without the bus: every cluster test must
    // then fail (each node is a world of its own), which is how they were checked.
    const char* noBus = std::getenv("SECCAM_TEST_CLUSTER_NO_BUS");
    if (!noBus || std::string(noBus) != "1") args.insert(args.end(), {"--bus-url", redis_->url()});
    std::string logDir = logs_.path() + "/node-" + std::to_string(i);
    std::filesystem::create_directories(logDir);
    nodes_.push_back(
        std::make_unique<ServerProcess>(args, data_.path(), "127.0.0.1", env, 0, logDir));
  }
}

Cluster::~Cluster() {
  for (auto& node : nodes_) node->stop();
}

int Cluster::health(std::size_t i) {
  return httpRequest(node(i).host(), node(i).port(), "GET", "/healthz", "", {},
                     std::chrono::milliseconds(1000))
      .status;
}

}  // namespace seccam::test
