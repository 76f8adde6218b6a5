#include "server/store/sqlite_migrations.hpp"

#include <array>
#include <string>

namespace seccam::server::store {
namespace {

// Migration N (1-based) brings the schema from version N-1 to N. Never edit a migration
// that has shipped: append a new one.
constexpr std::array kMigrations = {
    // 1: users, sessions, cameras.
    R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT    PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE cameras (
  id             TEXT    PRIMARY KEY,
  provisioned_at INTEGER NOT NULL,
  revoked        INTEGER NOT NULL DEFAULT 0,
  owner_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
  name           TEXT    NOT NULL DEFAULT '',
  claimed_at     INTEGER,
  last_seen      INTEGER
);
CREATE INDEX cameras_by_owner ON cameras(owner_id);
)sql",
    // 2: what the account's list of sessions shows.
    R"sql(
ALTER TABLE sessions ADD COLUMN last_seen INTEGER;
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
)sql",
};

int currentVersion(SqliteConnection& db) {
  SqliteStatement query(db, "PRAGMA user_version");
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

}  // namespace

int latestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

void migrate(SqliteConnection& db) {
  int version = currentVersion(db);
  if (version > latestSchemaVersion()) {
    throw StoreError("the database has schema version " + std::to_string(version) +
                     ", newer than this build knows (" + std::to_string(latestSchemaVersion()) +
                     "); refusing to touch it");
  }
  for (int next = version + 1; next <= latestSchemaVersion(); ++next) {
    SqliteTransaction transaction(db);
    db.execute(kMigrations[static_cast<std::size_t>(next - 1)]);
    db.execute("PRAGMA user_version = " + std::to_string(next));
    transaction.commit();
  }
}

}  // namespace seccam::server::store
