// The schema of both stores as one list of versioned migrations, each written in the two
// SQL dialects side by side, so that a change to one is seen to need the other.
#pragma once

#include <span>
#include <string_view>

#include "server/store/store.hpp"

namespace seccam::server::store {

struct Migration {
  std::string_view sqlite;
  std::string_view postgres;
};

// Migration N (1-based) brings the schema from version N-1 to N.
std::span<const Migration> schemaMigrations();

// The schema version this build writes (SQLite: PRAGMA user_version; PostgreSQL: the
// schema_version table).
int latestSchemaVersion();

// What both stores' queries share.
// A session's last_seen is kept to this resolution: at most one write a minute per session.
inline constexpr UnixTime kLastSeenResolutionSeconds = 60;
// The start of every query that reads cameras (both dialects accept it).
inline constexpr const char* kCameraColumns =
    "SELECT c.id, c.provisioned_at, c.revoked, c.owner_id, u.username, c.name, c.last_seen "
    "FROM cameras c LEFT JOIN users u ON u.id = c.owner_id ";

}  // namespace seccam::server::store
