// The SQLite schema as a list of versioned migrations, applied in order at start-up.
#pragma once

#include "server/store/sqlite_connection.hpp"

namespace seccam::server::store {

// The schema version this build writes (PRAGMA user_version after migrating).
int latestSchemaVersion();

// Applies every migration newer than the database's version, each in its own transaction.
// Refuses (StoreError) a database written by a newer build rather than risk its data.
void migrate(SqliteConnection& db);

}  // namespace seccam::server::store
