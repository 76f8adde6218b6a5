#include "server/store/sqlite_migrations.hpp"

#include <string>

namespace seccam::server::store {
namespace {

int currentVersion(SqliteConnection& db) {
  SqliteStatement query(db, "PRAGMA user_version");
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

}  // namespace

void migrate(SqliteConnection& db) {
  // The version is read inside each migration's write transaction: of two processes opening
  // a fresh file at once (the server and the CLI), the second waits, then sees it done.
  for (;;) {
    SqliteTransaction transaction(db);
    int version = currentVersion(db);
    if (version > latestSchemaVersion()) {
      throw StoreError("the database has schema version " + std::to_string(version) +
                       ", newer than this build knows (" +
                       std::to_string(latestSchemaVersion()) + "); refusing to touch it");
    }
    if (version == latestSchemaVersion()) return;
    db.execute(std::string(schemaMigrations()[static_cast<std::size_t>(version)].sqlite));
    db.execute("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
  }
}

}  // namespace seccam::server::store
