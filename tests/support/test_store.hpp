// Test support: the store the tests run against. SECCAM_TEST_STORE=postgres runs them against
// PostgreSQL (ctest label store-postgres), anything else against SQLite (store-sqlite).
//
// PostgreSQL is a throw-away cluster: initdb in a fresh folder, a postgres that listens on a
// Unix socket in that folder only (no TCP), run as the `postgres` user when the tests run as
// root (PostgreSQL refuses root), with fsync off. Since ctest runs every test in a process of
// its own, one cluster serves a whole ctest run: the "postgres" fixture runs
// tests/support/test-postgres.sh before and after (SECCAM_TEST_POSTGRES_DIR, a folder under
// /dev/shm, or /tmp without it, per build folder). A test binary run by hand starts a cluster of its own on first use
// instead, removed at exit (its postgres is killed with the process whatever way that ends:
// parent-death signal). Either way each test gets a fresh database.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seccam::test {

// SECCAM_TEST_STORE=postgres.
bool testStoreIsPostgres();

class PostgresCluster {
 public:
  // The run's cluster (SECCAM_TEST_POSTGRES_DIR, while it runs), or else the process's, started on
  // first use (throws std::runtime_error with initdb's or postgres's output when it cannot start).
  static PostgresCluster& shared();
  // A cluster of the caller's own, for a test that stops and starts it.
  PostgresCluster();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new, empty database: its libpq URL (postgresql://postgres@/NAME?host=SOCKET_FOLDER).
  std::string createDatabase();
  // Stops the server (fast shutdown: open connections are cut) and starts it again on the
  // same folder, for the tests of a database that goes away and comes back (own clusters only).
  void stop();
  void start();
  bool running();

  // Runs `sql` on the database at `url`: every row, every value as text (NULL as "").
  static std::vector<std::vector<std::string>> query(const std::string& url,
                                                     const std::string& sql);

 private:
  explicit PostgresCluster(std::string runningAt);
  struct State;
  std::unique_ptr<State> state_;
};

// The environment a seccam-server process (serve or the CLI) needs for the current test's
// store: under PostgreSQL, SECCAM_STORE_URL of a database of the current test's own (made on
// the test's first call, the same for its later calls); under SQLite, nothing.
std::map<std::string, std::string> testStoreEnvironment();

}  // namespace seccam::test
