// The sign-in and claim throttles' failure windows kept in Redis, so that every node counts
// the same failures (docs/BUS.md, "Rate limits"): one sorted set per key, its members the
// failure times on Redis's own clock, trimmed to the limit and expiring with the window.
// While Redis cannot be reached the node counts in its own memory instead.
#pragma once

#include <memory>
#include <string>

#include "server/auth/attempt_throttle.hpp"
#include "server/bus/redis_bus.hpp"

namespace seccam::server::bus {

// A WindowFactory for AttemptThrottle whose windows live under "seccam:fail:<scope>:<name>:".
auth::AttemptThrottle::WindowFactory sharedFailureWindows(RedisBus& bus, std::string scope);

}  // namespace seccam::server::bus
