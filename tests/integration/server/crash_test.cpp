// The server killed outright (kill -9) in the middle of a stream of sign-ups and claims:
// every request it acknowledged (2xx received) is there after a restart on the same data
// folder, and the database is intact (SQLite's own checks, and no half-done sign-up), in
// either store.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "server_test_client.hpp"
#include "support/test_store.hpp"

using namespace seccam::test;

namespace {

constexpr int kClients = 4;
constexpr int kCameras = 120;  // more than the clients can use before the kill
// Each client signs up, then claims this many more cameras with its session, then signs up
// again: both kinds of write are in flight at any moment.
constexpr int kClaimsPerAccount = 2;
constexpr int kAcknowledgedBeforeKill = 6;
constexpr auto kLongestWaitBeforeKill = std::chrono::milliseconds(1500);

struct Acknowledged {
  std::string cookie;                // of the sign-up's session
  std::set<std::string> cameraIds;  // the first camera and every acknowledged claim
};

// Rows read straight from the database file, as it was left by the killed process.
struct DatabaseCheck {
  std::string integrity;    // PRAGMA integrity_check
  int foreignKeyProblems = 0;
  int usersWithoutCamera = 0;   // a sign-up claims its first camera in the same transaction
  int usersWithoutSession = 0;  // ... and opens its first session
  std::map<std::string, std::string> ownerOfCamera;  // camera ID -> owner's username
};

DatabaseCheck checkDatabase(const std::string& path) {
  DatabaseCheck out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << (db ? sqlite3_errmsg(db) : "?");
    sqlite3_close(db);
    return out;
  }
  auto rows = [&](const char* sql, auto onRow) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      return;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) onRow(stmt);
    sqlite3_finalize(stmt);
  };
  auto text = [](sqlite3_stmt* stmt, int column) {
    auto p = sqlite3_column_text(stmt, column);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  };
  rows("PRAGMA integrity_check", [&](sqlite3_stmt* s) { out.integrity += text(s, 0); });
  rows("PRAGMA foreign_key_check", [&](sqlite3_stmt*) { ++out.foreignKeyProblems; });
  rows("SELECT COUNT(*) FROM users u WHERE NOT EXISTS "
       "(SELECT 1 FROM cameras c WHERE c.owner_id = u.id)",
       [&](sqlite3_stmt* s) { out.usersWithoutCamera = sqlite3_column_int(s, 0); });
  rows("SELECT COUNT(*) FROM users u WHERE NOT EXISTS "
       "(SELECT 1 FROM sessions s WHERE s.user_id = u.id)",
       [&](sqlite3_stmt* s) { out.usersWithoutSession = sqlite3_column_int(s, 0); });
  rows("SELECT c.id, u.username FROM cameras c JOIN users u ON u.id = c.owner_id",
       [&](sqlite3_stmt* s) { out.ownerOfCamera[text(s, 0)] = text(s, 1); });
  sqlite3_close(db);
  return out;
}

// The same from PostgreSQL (which enforces foreign keys and has no file to check).
DatabaseCheck checkPostgres(const std::string& url) {
  DatabaseCheck out;
  out.integrity = "ok";
  auto count = [&](const char* sql) {
    return std::stoi(PostgresCluster::query(url, sql).at(0).at(0));
  };
  out.usersWithoutCamera = count(
      "SELECT COUNT(*) FROM users u WHERE NOT EXISTS "
      "(SELECT 1 FROM cameras c WHERE c.owner_id = u.id)");
  out.usersWithoutSession = count(
      "SELECT COUNT(*) FROM users u WHERE NOT EXISTS "
      "(SELECT 1 FROM sessions s WHERE s.user_id = u.id)");
  for (const auto& row : PostgresCluster::query(
           url, "SELECT c.id, u.username FROM cameras c JOIN users u ON u.id = c.owner_id")) {
    out.ownerOfCamera[row.at(0)] = row.at(1);
  }
  return out;
}

}  // namespace

class Crash : public ServerTest {};

TEST_F(Crash, EveryAcknowledgedSignUpAndClaimSurvivesKillNine) {
  auto cameras = server->provision(kCameras);
  std::random_device seed;
  auto seedValue = seed();
  std::mt19937 random(seedValue);
  SCOPED_TRACE("random seed " + std::to_string(seedValue));

  std::mutex mutex;
  std::map<std::string, Acknowledged> acknowledged;  // by username
  std::atomic<int> acknowledgedCount{0};
  std::atomic<int> nextCamera{0};
  std::atomic<bool> serverGone{false};

  auto client = [&](int index) {
    int accounts = 0;
    std::string username, cookie;
    int claims = kClaimsPerAccount;  // sign up first
    while (!serverGone) {
      int at = nextCamera++;
      if (at >= kCameras) return;
      const auto& camera = cameras[static_cast<std::size_t>(at)];
      HttpResponse response;
      bool signUp = claims == kClaimsPerAccount;
      if (signUp) {
        username = "c" + std::to_string(index) + "u" + std::to_string(++accounts);
        response = registerAccount(username, camera);
      } else {
        nlohmann::json body{{"cameraId", camera.cameraId}, {"claimCode", camera.claimCode}};
        response = call("POST", "/api/cameras", body.dump(), cookie);
      }
      if (response.status == 0) {  // no answer: the server is gone (or the request was cut)
        serverGone = true;
        return;
      }
      ASSERT_EQ(response.status, 201) << response.body;
      std::lock_guard lock(mutex);
      if (signUp) {
        cookie = cookiePair(response.header("set-cookie"));
        acknowledged[username].cookie = cookie;
        claims = 0;
      } else {
        ++claims;
      }
      acknowledged[username].cameraIds.insert(camera.cameraId);
      ++acknowledgedCount;
    }
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back(client, i);

  // A random moment once the stream is under way (not before a few acknowledgements, so that
  // the test always has something to check).
  bool started =
      waitFor([&] { return acknowledgedCount >= kAcknowledgedBeforeKill; }, std::chrono::seconds(60));
  std::this_thread::sleep_for(std::chrono::milliseconds(
      std::uniform_int_distribution<int>(0, static_cast<int>(kLongestWaitBeforeKill.count()))(random)));
  int acknowledgedAtKill = acknowledgedCount;
  int requestsAtKill = nextCamera;
  server->process().stop(SIGKILL);
  serverGone = true;
  for (auto& t : clients) t.join();
  ASSERT_TRUE(started) << "too few sign-ups were acknowledged" << show(server->process());
  // Some were in flight when the process died (otherwise this tested a quiet server).
  RecordProperty("acknowledged", acknowledgedAtKill);
  RecordProperty("requests", requestsAtKill);

  // The database as the dead process left it.
  auto check = testStoreIsPostgres()
                   ? checkPostgres(testStoreEnvironment().at("SECCAM_STORE_URL"))
                   : checkDatabase(server->dataDir() + "/seccam.db");
  EXPECT_EQ(check.integrity, "ok");
  EXPECT_EQ(check.foreignKeyProblems, 0);
  EXPECT_EQ(check.usersWithoutCamera, 0) << "a sign-up was stored without its camera";
  EXPECT_EQ(check.usersWithoutSession, 0) << "a sign-up was stored without its session";
  for (const auto& [username, account] : acknowledged) {
    for (const auto& cameraId : account.cameraIds) {
      EXPECT_EQ(check.ownerOfCamera[cameraId], username) << cameraId;
    }
  }

  server->start();
  ASSERT_FALSE(acknowledged.empty());
  for (const auto& [username, account] : acknowledged) {
    // The session of the acknowledged sign-up still works, and the cameras are its own.
    auto listed = call("GET", "/api/cameras", "", account.cookie);
    ASSERT_EQ(listed.status, 200) << username << " " << listed.body;
    std::set<std::string> ids;
    auto body = json(listed);
    for (const auto& camera : body["cameras"]) ids.insert(camera.value("id", ""));
    for (const auto& cameraId : account.cameraIds) {
      EXPECT_TRUE(ids.count(cameraId)) << username << " lost " << cameraId;
    }
    EXPECT_EQ(login(username).status, 200) << username;
  }
}

// A test binary that crashes, or a benchmark interrupted with Ctrl-C (which does not reach the
// children: each has a process group of its own), must not leave servers running: a process
// started through the test support dies with the process that started it.
TEST(ChildProcesses, DieWithTheProcessThatStartedThem) {
  int pipeFds[2];
  ASSERT_EQ(::pipe(pipeFds), 0);
  TempDir dir;
  pid_t starter = ::fork();
  ASSERT_GE(starter, 0);
  if (starter == 0) {
    // The starter: starts a long sleep, says its pid, and dies without cleaning up.
    ::close(pipeFds[0]);
    auto* child = new ChildProcess({"/bin/sleep", "60"}, dir.path() + "/sleep.log");
    pid_t pid = child->pid();
    (void)!::write(pipeFds[1], &pid, sizeof pid);
    ::_exit(0);
  }
  ::close(pipeFds[1]);
  pid_t sleeper = 0;
  ASSERT_EQ(::read(pipeFds[0], &sleeper, sizeof sleeper), static_cast<ssize_t>(sizeof sleeper));
  ::close(pipeFds[0]);
  ::waitpid(starter, nullptr, 0);
  ASSERT_GT(sleeper, 0);
  // Gone, or a zombie waiting for whoever adopted it to reap it.
  auto gone = [&] {
    std::ifstream stat("/proc/" + std::to_string(sleeper) + "/stat");
    std::string pid, name, state;
    if (!(stat >> pid >> name >> state)) return true;
    return state == "Z" || state == "X";
  };
  bool died = waitFor(gone, std::chrono::seconds(5));
  if (!died) ::kill(sleeper, SIGKILL);
  EXPECT_TRUE(died) << "the child outlived the process that started it";
}
