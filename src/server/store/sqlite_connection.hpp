// Small owning wrappers over sqlite3 handles (connection, prepared statement) that turn
// SQLite errors into StoreError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/store/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace seccam::server::store {

class SqliteConnection {
 public:
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* handle() const { return db_; }
  // Runs one or more statements without results.
  void execute(const std::string& sql);
  std::int64_t lastInsertId() const;
  int changes() const;

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStatement {
 public:
  SqliteStatement(SqliteConnection& db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bindNull(int index);
  SqliteStatement& bind(int index, const std::optional<std::int64_t>& value);
  SqliteStatement& bindReal(int index, double value);

  // Steps once: true when a row is available, false when done. Throws StoreError;
  // a constraint violation throws ConstraintViolation.
  bool step();

  std::string text(int column) const;
  std::int64_t integer(int column) const;
  double real(int column) const;
  bool isNull(int column) const;
  std::optional<std::int64_t> optionalInteger(int column) const;
  std::optional<std::string> optionalText(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class ConstraintViolation : public StoreError {
 public:
  using StoreError::StoreError;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless commit() was called.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteConnection& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteConnection& db_;
  bool done_ = false;
};

}  // namespace seccam::server::store
