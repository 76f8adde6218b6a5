// Test support: the store the tests run against. SECCAM_TEST_STORE=postgres runs them against
// PostgreSQL (ctest label store-postgres), anything else against SQLite (store-sqlite).
//
// PostgreSQL is a throw-away cluster of the test process's own: initdb in a fresh folder under
// /tmp, a postgres that listens on a Unix socket in that folder only (no TCP), run as the
// `postgres` user when the tests run as root (PostgreSQL refuses root), with fsync off. It is
// started on first use, shared by the tests of the process, each test getting a fresh
// database, and removed at exit; a postgres whose test process died is killed with it
// (parent-death signal), and a folder left behind is removed by the next run.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seccam::test {

// SECCAM_TEST_STORE=postgres.
bool testStoreIsPostgres();
// "postgres" or "sqlite", for failure messages.
const char* testStoreName();

class PostgresCluster {
 public:
  // The process's cluster, started on first use (throws std::runtime_error with initdb's or
  // postgres's output when it cannot start).
  static PostgresCluster& shared();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new, empty database: its libpq URL (postgresql://postgres@/NAME?host=SOCKET_FOLDER).
  std::string createDatabase();
  // Stops the server (fast shutdown: open connections are cut) and starts it again on the
  // same folder, for the tests of a database that goes away and comes back.
  void stop();
  void start();
  bool running();

  // Runs `sql` on the database at `url`: every row, every value as text (NULL as "").
  static std::vector<std::vector<std::string>> query(const std::string& url,
                                                     const std::string& sql);

 private:
  PostgresCluster();
  struct State;
  std::unique_ptr<State> state_;
};

// The environment a seccam-server process (serve or the CLI) needs for the current test's
// store: under PostgreSQL, SECCAM_STORE_URL of a database of the current test's own (made on
// the test's first call, the same for its later calls); under SQLite, nothing.
std::map<std::string, std::string> testStoreEnvironment();

}  // namespace seccam::test
