// The schema of both stores as one list of versioned migrations, each written in the two
// SQL dialects side by side, so that a change to one is seen to need the other.
#pragma once

#include <span>
#include <string_view>

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

}  // namespace seccam::server::store
