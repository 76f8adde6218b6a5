// `seccam-server serve`: builds every part (store, worker pool, API, hub, HTTP listener),
// runs the IO threads until SIGINT/SIGTERM, then shuts down cleanly.
#pragma once

#include "server/config/server_config.hpp"

namespace seccam::server {

// Returns the process exit code.
int runServer(const ServerConfig& config);

}  // namespace seccam::server
