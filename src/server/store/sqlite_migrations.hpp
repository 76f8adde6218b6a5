// Applies the SQLite dialect of the schema migrations (schema_migrations.hpp) at start-up.
#pragma once

#include "server/store/schema_migrations.hpp"
#include "server/store/sqlite_connection.hpp"

namespace seccam::server::store {

// Applies every migration newer than the database's version, each in its own transaction.
// Refuses (StoreError) a database written by a newer build rather than risk its data.
void migrate(SqliteConnection& db);

}  // namespace seccam::server::store
