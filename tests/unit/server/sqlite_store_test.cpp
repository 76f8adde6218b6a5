// What only the SQLite store does (its file in WAL mode); the Store contract itself is
// tested against both stores in store_test.cpp.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "server/store/sqlite_migrations.hpp"
#include "server/store/store.hpp"
#include "support/process.hpp"

using namespace seccam::server::store;

namespace {
class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string dbPath() const { return dir.path() + "/seccam.db"; }
  std::unique_ptr<Store> open() { return openSqliteStore(dbPath()); }
  seccam::test::TempDir dir;
};

int pragmaInt(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  int value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}
}  // namespace

TEST_F(SqliteStoreTest, MigratesAFreshFileToTheLatestVersionInWalMode) {
  open();
  EXPECT_EQ(pragmaInt(dbPath(), "PRAGMA user_version"), latestSchemaVersion());
  sqlite3* db = nullptr;
  sqlite3_open(dbPath().c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}
