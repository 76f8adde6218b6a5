#include "support/test_store.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <stdexcept>

#include "support/process.hpp"

namespace seccam::test {
namespace {
namespace fs = std::filesystem;

constexpr const char* kFolderPrefix = "seccam-pg-";
constexpr auto kStartTimeout = std::chrono::seconds(30);

std::string postgresBin(const std::string& program) {
  const char* dir = std::getenv("SECCAM_POSTGRES_BIN");
  return std::string(dir && *dir ? dir : "/usr/lib/postgresql/15/bin") + "/" + program;
}

// As root, PostgreSQL's programs run as the `postgres` user (it refuses root); the
// parent-death signal ends the server with the test process whatever way that ends.
std::vector<std::string> asPostgresUser(std::vector<std::string> argv) {
  std::vector<std::string> out{"/usr/bin/setpriv"};
  if (::geteuid() == 0) {
    out.insert(out.end(), {"--reuid=postgres", "--regid=postgres", "--clear-groups"});
  }
  out.push_back("--pdeathsig=KILL");
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

// "/tmp/x" as a URL query value.
std::string percentEncoded(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '/') {
      out += "%2F";
    } else {
      out += c;
    }
  }
  return out;
}

// A process that exists and has not exited (a zombie nobody reaped is gone for this purpose).
bool processAlive(int pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pidText, name, state;
  if (!(stat >> pidText >> name >> state)) return false;
  return state != "Z";
}

// Folders of test processes that are gone: their postgres (if any survived) is killed and
// the folder removed.
void removeStaleClusters() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::temp_directory_path(), ec)) {
    auto name = entry.path().filename().string();
    if (!name.starts_with(kFolderPrefix)) continue;
    auto owner = std::atoi(name.c_str() + std::char_traits<char>::length(kFolderPrefix));
    if (owner <= 0 || processAlive(owner)) continue;
    std::ifstream pidFile(entry.path() / "data" / "postmaster.pid");
    int postmaster = 0;
    if (pidFile >> postmaster && postmaster > 0) ::kill(postmaster, SIGKILL);
    fs::remove_all(entry.path(), ec);
  }
}

// A cluster in `folder` whose postmaster is running.
bool postmasterAlive(const std::string& folder) {
  std::ifstream pidFile(folder + "/data/postmaster.pid");
  int postmaster = 0;
  return pidFile >> postmaster && postmaster > 0 && ::kill(postmaster, 0) == 0;
}

}  // namespace

struct PostgresCluster::State {
  std::string folder;  // socket folder; the cluster in folder/data
  std::string logPath;
  ChildProcess server;
  bool own = true;
  std::mutex mutex;
  int databases = 0;

  std::string urlOf(const std::string& database) const {
    return "postgresql://postgres@/" + database + "?host=" + percentEncoded(folder);
  }
};

bool testStoreIsPostgres() {
  const char* store = std::getenv("SECCAM_TEST_STORE");
  return store && std::string(store) == "postgres";
}

PostgresCluster& PostgresCluster::shared() {
  // Where tests/support/test-postgres.sh keeps the ctest run's cluster (tests/CMakeLists.txt).
  static const std::string run = SECCAM_TEST_POSTGRES_DIR;
  if (postmasterAlive(run)) {
    static PostgresCluster cluster{run};
    return cluster;
  }
  static PostgresCluster cluster;
  return cluster;
}

PostgresCluster::PostgresCluster(std::string runningAt) : state_(std::make_unique<State>()) {
  state_->folder = std::move(runningAt);
  state_->own = false;
}

PostgresCluster::PostgresCluster() : state_(std::make_unique<State>()) {
  removeStaleClusters();
  std::string templ =
      (fs::temp_directory_path() / (kFolderPrefix + std::to_string(::getpid()) + "-XXXXXX"))
          .string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  state_->folder = templ;
  state_->logPath = state_->folder + "/postgres.log";
  if (::geteuid() == 0) {
    passwd* user = ::getpwnam("postgres");
    if (!user) {
      throw std::runtime_error("no 'postgres' user to run PostgreSQL as (install postgresql-15)");
    }
    if (::chown(state_->folder.c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + state_->folder);
    }
  }
  // initdb's own log, in the folder the postgres user owns.
  ChildProcess initdb(
      asPostgresUser({postgresBin("initdb"), "-D", state_->folder + "/data", "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"}),
      state_->folder + "/initdb.log");
  auto status = initdb.wait(kStartTimeout);
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("initdb failed:\n" + initdb.log());
  }
  start();
}

PostgresCluster::~PostgresCluster() {
  if (!state_->own) return;
  state_->server.stop(SIGQUIT, std::chrono::seconds(5));  // immediate shutdown: it is thrown away
  std::error_code ec;
  fs::remove_all(state_->folder, ec);
}

void PostgresCluster::start() {
  if (!state_->own) throw std::logic_error("the run's shared cluster is not a test's to start");
  state_->server =
      ChildProcess(asPostgresUser({postgresBin("postgres"), "-D", state_->folder + "/data", "-k",
                                   state_->folder, "-c", "listen_addresses=", "-c", "fsync=off",
                                   "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                                   "-c", "max_connections=200", "-c", "shared_buffers=16MB"}),
                   state_->logPath);
  auto maintenance = state_->urlOf("postgres");
  bool up = waitFor(
      [&] {
        if (!state_->server.running()) return true;  // reported below
        try {
          pqxx::connection c(maintenance);
          return true;
        } catch (const std::exception&) {
          return false;
        }
      },
      kStartTimeout);
  if (!up || !state_->server.running()) {
    throw std::runtime_error("PostgreSQL did not start:\n" + state_->server.log());
  }
}

void PostgresCluster::stop() {
  if (!state_->own) throw std::logic_error("the run's shared cluster is not a test's to stop");
  state_->server.stop(SIGINT, std::chrono::seconds(10));
}

bool PostgresCluster::running() { return !state_->own || state_->server.running(); }

std::string PostgresCluster::createDatabase() {
  std::lock_guard lock(state_->mutex);
  // Unique in a cluster that the processes of a ctest run share.
  auto name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++state_->databases);
  pqxx::connection c(state_->urlOf("postgres"));
  pqxx::nontransaction tx(c);
  // FILE_COPY: a copy of template1's files, quicker than WAL-logging every page.
  tx.exec("CREATE DATABASE " + name + " STRATEGY FILE_COPY");
  return state_->urlOf(name);
}

std::vector<std::vector<std::string>> PostgresCluster::query(const std::string& url,
                                                             const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  std::vector<std::vector<std::string>> out;
  for (const auto& row : tx.exec(sql)) {
    std::vector<std::string> values;
    for (const auto& field : row) values.push_back(field.is_null() ? "" : field.c_str());
    out.push_back(std::move(values));
  }
  return out;
}

std::map<std::string, std::string> testStoreEnvironment() {
  if (!testStoreIsPostgres()) return {};
  static std::mutex mutex;
  static std::map<std::string, std::string> byTest;
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string key = test ? std::string(test->test_suite_name()) + "." + test->name() : "";
  std::lock_guard lock(mutex);
  auto& url = byTest[key];
  if (url.empty()) url = PostgresCluster::shared().createDatabase();
  return {{"SECCAM_STORE_URL", url}};
}

}  // namespace seccam::test
