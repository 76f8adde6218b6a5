#include "server/store/sqlite_connection.hpp"

#include <sqlite3.h>

#include <cerrno>

namespace seccam::server::store {
namespace {
// Provisioning from the CLI and a running server share one database file; a writer waits
// this long for the other instead of failing at once.
constexpr int kBusyTimeoutMs = 5000;

// SQLite says SQLITE_FULL when a write hits ENOSPC; a quota (EDQUOT) or a journal file that
// could not grow comes back as an I/O error with that errno.
bool storageFull(sqlite3* db, int rc) {
  if ((rc & 0xff) == SQLITE_FULL) return true;
  int error = sqlite3_system_errno(db);
  return (rc & 0xff) == SQLITE_IOERR && (error == ENOSPC || error == EDQUOT);
}

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  std::string message = what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  if (db && storageFull(db, rc)) throw StorageFull(message);
  throw StoreError(message);
}
}  // namespace

SqliteConnection::SqliteConnection(const std::string& path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db_, 1);
}

SqliteConnection::~SqliteConnection() { sqlite3_close(db_); }

void SqliteConnection::execute(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = "SQL failed: " + std::string(error ? error : "unknown error");
    sqlite3_free(error);
    if (storageFull(db_, rc)) throw StorageFull(message);  // e.g. a COMMIT
    throw StoreError(message);
  }
}

std::int64_t SqliteConnection::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int SqliteConnection::changes() const { return sqlite3_changes(db_); }

SqliteStatement::SqliteStatement(SqliteConnection& db, std::string_view sql) : db_(db.handle()) {
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot prepare statement");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot bind");
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot bind");
  return *this;
}

SqliteStatement& SqliteStatement::bindReal(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot bind");
  return *this;
}

double SqliteStatement::real(int column) const { return sqlite3_column_double(stmt_, column); }

SqliteStatement& SqliteStatement::bindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "cannot bind");
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bindNull(index);
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  if ((rc & 0xff) == SQLITE_CONSTRAINT) throw ConstraintViolation(sqlite3_errmsg(db_));
  fail(db_, rc, "statement failed");
}

std::string SqliteStatement::text(int column) const {
  auto p = sqlite3_column_text(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

std::int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool SqliteStatement::isNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> SqliteStatement::optionalInteger(int column) const {
  if (isNull(column)) return std::nullopt;
  return integer(column);
}

std::optional<std::string> SqliteStatement::optionalText(int column) const {
  if (isNull(column)) return std::nullopt;
  return text(column);
}

SqliteTransaction::SqliteTransaction(SqliteConnection& db) : db_(db) {
  db_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    try {
      db_.execute("ROLLBACK");
    } catch (const StoreError&) {
      // Nothing more can be done; SQLite has already rolled back on most errors.
    }
  }
}

void SqliteTransaction::commit() {
  db_.execute("COMMIT");
  done_ = true;
}

}  // namespace seccam::server::store
