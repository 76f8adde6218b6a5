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
    // 3: Web Push: browsers' subscriptions (all cameras, or a list) and the per-camera switch
    // of a camera's owner (keyed by owner too, so that a new owner starts with it off).
    R"sql(
CREATE TABLE push_subscriptions (
  id          INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  endpoint    TEXT    NOT NULL UNIQUE,
  p256dh      TEXT    NOT NULL,
  auth        TEXT    NOT NULL,
  all_cameras INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_by_user ON push_subscriptions(user_id);
CREATE TABLE push_subscription_cameras (
  subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
  camera_id       TEXT    NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  PRIMARY KEY (subscription_id, camera_id)
);
CREATE TABLE camera_notifications (
  camera_id TEXT    NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  enabled   INTEGER NOT NULL,
  PRIMARY KEY (camera_id, user_id)
);
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
