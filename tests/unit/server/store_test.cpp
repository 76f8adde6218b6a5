// The Store contract, run against the store SECCAM_TEST_STORE names (test_store.hpp): SQLite
// (ctest label store-sqlite) or PostgreSQL in a throw-away cluster (store-postgres). Several
// Store objects on one database stand for several server nodes (or the server and the CLI).
#include "server/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <thread>

#include "server/store/postgres_store.hpp"
#include "server/store/schema_migrations.hpp"
#include "support/process.hpp"
#include "support/test_store.hpp"

using namespace seccam::server::store;
using seccam::test::PostgresCluster;
using seccam::test::testStoreIsPostgres;

namespace {

constexpr std::size_t kPoolSize = 4;
constexpr int kNodes = 4;    // stores racing for the same row
constexpr int kRounds = 10;  // races per test, so that a lost race shows

class StoreTest : public ::testing::Test {
 protected:
  // A store on this test's database; every call another "node" on the same data.
  std::unique_ptr<Store> open() {
    if (!testStoreIsPostgres()) return openSqliteStore(dir.path() + "/seccam.db");
    return openPostgresStore(url(), kPoolSize);
  }
  const std::string& url() {
    if (url_.empty()) url_ = PostgresCluster::shared().createDatabase();
    return url_;
  }
  // The schema version as the database records it.
  int schemaVersion() {
    if (testStoreIsPostgres()) {
      return std::stoi(
          PostgresCluster::query(url(), "SELECT version FROM schema_version").at(0).at(0));
    }
    return sqliteInt("PRAGMA user_version");
  }
  void setSchemaVersion(int version) {
    if (testStoreIsPostgres()) {
      PostgresCluster::query(url(),
                             "UPDATE schema_version SET version = " + std::to_string(version));
    } else {
      sqliteInt(("PRAGMA user_version = " + std::to_string(version)).c_str());
    }
  }
  int sqliteInt(const char* sql) {
    auto path = dir.path() + "/seccam.db";
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    int value = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
  }

  NewSession session(const std::string& hash, UnixTime now = 1000, UnixTime expires = 2000) {
    return {hash, now, expires};
  }
  UserId registerAnn(Store& store, const std::string& camera = "sc-A") {
    store.addCamera(camera, 1);
    auto result = store.registerUser("Ann", "hash-of-ann", camera, "Front door", session("h1"));
    EXPECT_EQ(result.outcome, RegisterOutcome::registered);
    return result.user->id;
  }

  // Runs `work(node)` on kNodes threads at once, each with a store of its own.
  template <typename Work>
  void race(std::vector<std::unique_ptr<Store>>& nodes, Work work) {
    std::barrier start(static_cast<std::ptrdiff_t>(nodes.size()));
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        work(*nodes[i], static_cast<int>(i));
      });
    }
    for (auto& t : threads) t.join();
  }
  std::vector<std::unique_ptr<Store>> openNodes() {
    std::vector<std::unique_ptr<Store>> nodes;
    for (int i = 0; i < kNodes; ++i) nodes.push_back(open());
    return nodes;
  }

  seccam::test::TempDir dir;
  std::string url_;
};

}  // namespace

TEST_F(StoreTest, MigratesAFreshDatabaseToTheLatestVersion) {
  open();
  EXPECT_EQ(schemaVersion(), latestSchemaVersion());
  open();  // an up-to-date database is left as it is
  EXPECT_EQ(schemaVersion(), latestSchemaVersion());
}

TEST_F(StoreTest, RefusesADatabaseFromANewerBuild) {
  open();
  setSchemaVersion(latestSchemaVersion() + 1);
  EXPECT_THROW(open(), StoreError);
}

TEST_F(StoreTest, NodesOpeningAFreshDatabaseAtOnceMigrateItOnce) {
  if (testStoreIsPostgres()) url();  // the database exists; its schema does not
  std::vector<std::unique_ptr<Store>> nodes(kNodes);
  std::atomic<int> failures{0};
  std::barrier start(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        nodes[static_cast<std::size_t>(i)] = open();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "node " << i << ": " << e.what();
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(schemaVersion(), latestSchemaVersion());
  if (failures == 0) {
    nodes[0]->addCamera("sc-A", 1);
    EXPECT_TRUE(nodes[kNodes - 1]->findCamera("sc-A"));
  }
}

TEST_F(StoreTest, RegistersAUserWithItsCameraAndSession) {
  auto store = open();
  auto ann = registerAnn(*store);
  auto camera = store->findCamera("sc-A");
  ASSERT_TRUE(camera);
  EXPECT_EQ(camera->ownerId, ann);
  EXPECT_EQ(camera->ownerUsername, "Ann");
  EXPECT_EQ(camera->name, "Front door");
  auto user = store->userForSession("h1", 1500);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->username, "Ann");
  EXPECT_EQ(user->passwordHash, "hash-of-ann");
}

TEST_F(StoreTest, UsernamesAreUniqueIgnoringCase) {
  auto store = open();
  registerAnn(*store);
  store->addCamera("sc-B", 1);
  auto second = store->registerUser("aNN", "other", "sc-B", "x", session("h2"));
  EXPECT_EQ(second.outcome, RegisterOutcome::usernameTaken);
  EXPECT_TRUE(store->findUserByUsername("ANN"));
  EXPECT_EQ(store->findUserByUsername("ANN")->username, "Ann");  // as registered
  // Nothing of the refused registration was kept.
  EXPECT_FALSE(store->findCamera("sc-B")->ownerId);
  EXPECT_FALSE(store->userForSession("h2", 1500));
}

TEST_F(StoreTest, RegistrationWithAnUnavailableCameraKeepsNothing) {
  auto store = open();
  registerAnn(*store);
  auto result = store->registerUser("bob", "h", "sc-A", "x", session("h2"));
  EXPECT_EQ(result.outcome, RegisterOutcome::cameraUnavailable);
  EXPECT_FALSE(store->findUserByUsername("bob"));
  auto unknown = store->registerUser("bob", "h", "sc-NOPE", "x", session("h3"));
  EXPECT_EQ(unknown.outcome, RegisterOutcome::cameraUnavailable);
  EXPECT_FALSE(store->findUserByUsername("bob"));
  // The name is free again: the refused attempts left no row behind.
  store->addCamera("sc-B", 1);
  EXPECT_EQ(store->registerUser("bob", "h", "sc-B", "x", session("h4")).outcome,
            RegisterOutcome::registered);
}

TEST_F(StoreTest, SessionsExpireAndCanBeDeleted) {
  auto store = open();
  auto ann = registerAnn(*store);
  store->createSession(ann, session("h2", 1000, 1100));
  EXPECT_TRUE(store->userForSession("h2", 1099));
  EXPECT_FALSE(store->userForSession("h2", 1100));
  EXPECT_EQ(store->deleteExpiredSessions(1100), 1);
  store->deleteSession("h1");
  EXPECT_FALSE(store->userForSession("h1", 1500));
}

TEST_F(StoreTest, ACappedSignInEndsTheOldestSessionsOnly) {
  auto store = open();
  auto ann = registerAnn(*store);  // h1 at 1000
  store->addCamera("sc-B", 1);
  auto bob = store->registerUser("bob", "h", "sc-B", "x", session("b1", 900)).user->id;
  EXPECT_TRUE(store->createSession(ann, {"h2", 1001, 3000, "Phone"}, 3).empty());
  EXPECT_TRUE(store->createSession(ann, {"h3", 1002, 3000, "Laptop"}, 3).empty());
  auto ended = store->createSession(ann, {"h4", 1003, 3000, "Tablet"}, 3);
  EXPECT_EQ(ended, std::vector<std::string>{"h1"});
  EXPECT_FALSE(store->userForSession("h1", 1500));
  EXPECT_TRUE(store->userForSession("b1", 1500));  // bob's older session is not ann's to end

  auto list = store->sessionsOf(ann, 1500);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].tokenHash, "h4");  // newest first
  EXPECT_EQ(list[0].userAgent, "Tablet");
  EXPECT_EQ(list[0].lastSeen, 1003);
  store->touchSession("h4", 1030);  // within the minute: not written
  EXPECT_EQ(store->sessionsOf(ann, 1500)[0].lastSeen, 1003);
  store->touchSession("h4", 1100);
  EXPECT_EQ(store->sessionsOf(ann, 1500)[0].lastSeen, 1100);

  EXPECT_FALSE(store->deleteSessionOf(bob, list[1].id));  // not bob's
  EXPECT_EQ(store->deleteSessionOf(ann, list[1].id), "h3");
  auto all = store->deleteSessionsOf(ann);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"h2", "h4"}));
  EXPECT_TRUE(store->sessionsOf(ann, 1500).empty());
  EXPECT_EQ(store->sessionsOf(bob, 1500).size(), 1u);
}

TEST_F(StoreTest, ClaimRenameUnclaimOnlyForTheOwner) {
  auto store = open();
  auto ann = registerAnn(*store);
  store->addCamera("sc-B", 2);
  store->addCamera("sc-R", 3);
  store->revokeCamera("sc-R");
  EXPECT_EQ(store->claimCamera("sc-B", ann, "Garden"), ClaimOutcome::claimed);
  EXPECT_EQ(store->claimCamera("sc-B", ann + 1, "Mine"), ClaimOutcome::alreadyClaimed);
  EXPECT_EQ(store->claimCamera("sc-R", ann, "Revoked"), ClaimOutcome::revoked);
  EXPECT_EQ(store->claimCamera("sc-X", ann, "None"), ClaimOutcome::unknownCamera);
  EXPECT_EQ(store->camerasOwnedBy(ann).size(), 2u);

  EXPECT_FALSE(store->renameCamera("sc-B", ann + 1, "Stolen"));
  EXPECT_TRUE(store->renameCamera("sc-B", ann, "Back garden"));
  EXPECT_EQ(store->findCamera("sc-B")->name, "Back garden");

  EXPECT_FALSE(store->unclaimCamera("sc-B", ann + 1));
  EXPECT_TRUE(store->unclaimCamera("sc-B", ann));
  EXPECT_FALSE(store->findCamera("sc-B")->ownerId);
  EXPECT_EQ(store->camerasOwnedBy(ann).size(), 1u);
}

TEST_F(StoreTest, HostileTextIsStoredVerbatim) {
  auto store = open();
  auto ann = registerAnn(*store);
  std::string name = "x'); DROP TABLE cameras; --";
  EXPECT_TRUE(store->renameCamera("sc-A", ann, name));
  EXPECT_EQ(store->findCamera("sc-A")->name, name);
  EXPECT_EQ(store->listCameras().size(), 1u);
}

TEST_F(StoreTest, ProvisioningTheSameIdTwiceFails) {
  auto store = open();
  store->addCamera("sc-A", 1);
  EXPECT_THROW(store->addCamera("sc-A", 2), StoreError);
  EXPECT_EQ(store->findCamera("sc-A")->provisionedAt, 1);
}

TEST_F(StoreTest, DataSurvivesReopening) {
  UserId ann = 0;
  {
    auto store = open();
    ann = registerAnn(*store);
    store->recordCameraSeen("sc-A", 4242);
    store->addCamera("sc-R", 5);
    store->revokeCamera("sc-R");
  }
  auto store = open();
  EXPECT_EQ(store->findUserByUsername("ann")->id, ann);
  EXPECT_TRUE(store->userForSession("h1", 1500));
  auto camera = store->findCamera("sc-A");
  EXPECT_EQ(camera->lastSeen, 4242);
  EXPECT_EQ(camera->ownerId, ann);
  EXPECT_TRUE(store->findCamera("sc-R")->revoked);
  EXPECT_EQ(store->listCameras().size(), 2u);
}

// Two nodes claiming one camera at the same moment: exactly one gets it, every round.
TEST_F(StoreTest, ConcurrentClaimsOfOneCameraHaveExactlyOneWinner) {
  auto nodes = openNodes();
  std::vector<UserId> users;
  for (int i = 0; i < kNodes; ++i) {
    auto camera = "sc-U" + std::to_string(i);
    nodes[0]->addCamera(camera, 1);
    users.push_back(nodes[0]
                        ->registerUser("user" + std::to_string(i), "h", camera, "x",
                                       session("u" + std::to_string(i)))
                        .user->id);
  }
  for (int round = 0; round < kRounds; ++round) {
    auto camera = "sc-C" + std::to_string(round);
    nodes[0]->addCamera(camera, 2);
    std::atomic<int> claimed{0}, taken{0};
    std::atomic<int> winner{-1};
    race(nodes, [&](Store& node, int i) {
      auto outcome = node.claimCamera(camera, users[static_cast<std::size_t>(i)], "mine");
      if (outcome == ClaimOutcome::claimed) {
        ++claimed;
        winner = i;
      } else if (outcome == ClaimOutcome::alreadyClaimed) {
        ++taken;
      }
    });
    EXPECT_EQ(claimed, 1) << camera;
    EXPECT_EQ(taken, kNodes - 1) << camera;
    if (winner >= 0) {
      EXPECT_EQ(nodes[0]->findCamera(camera)->ownerId,
                users[static_cast<std::size_t>(winner.load())]);
    }
  }
}

// Sign-ups of one name in different cases on several nodes at once: one account, and the
// others' cameras stay unclaimed.
TEST_F(StoreTest, ConcurrentSignUpsOfOneNameIgnoringCaseHaveExactlyOneWinner) {
  auto nodes = openNodes();
  const std::vector<std::string> spellings = {"carol", "Carol", "CAROL", "cArOl"};
  for (int round = 0; round < kRounds; ++round) {
    auto name = "n" + std::to_string(round);
    for (int i = 0; i < kNodes; ++i) nodes[0]->addCamera(name + "-cam" + std::to_string(i), 1);
    std::atomic<int> registered{0}, taken{0};
    race(nodes, [&](Store& node, int i) {
      auto result = node.registerUser(spellings[static_cast<std::size_t>(i)] + name, "h",
                                      name + "-cam" + std::to_string(i), "x",
                                      session(name + "-s" + std::to_string(i)));
      if (result.outcome == RegisterOutcome::registered) ++registered;
      if (result.outcome == RegisterOutcome::usernameTaken) ++taken;
    });
    EXPECT_EQ(registered, 1) << name;
    EXPECT_EQ(taken, kNodes - 1) << name;
    int owned = 0;
    for (int i = 0; i < kNodes; ++i) {
      if (nodes[0]->findCamera(name + "-cam" + std::to_string(i))->ownerId) ++owned;
    }
    EXPECT_EQ(owned, 1) << name;
  }
}

// Sign-ins of one account on several nodes at once still leave at most the cap of sessions.
TEST_F(StoreTest, ConcurrentSignInsKeepTheSessionCap) {
  auto nodes = openNodes();
  auto ann = registerAnn(*nodes[0]);
  constexpr std::size_t kCap = 3;
  std::atomic<int> ended{0};
  for (int round = 0; round < kRounds; ++round) {
    race(nodes, [&](Store& node, int i) {
      auto hash = "r" + std::to_string(round) + "n" + std::to_string(i);
      ended +=
          static_cast<int>(node.createSession(ann, {hash, 1000 + round, 3000, "x"}, kCap).size());
    });
    EXPECT_EQ(nodes[0]->sessionsOf(ann, 1500).size(), kCap) << "round " << round;
  }
  // Every session opened beyond the cap was ended by exactly one sign-in.
  EXPECT_EQ(ended, 1 + kRounds * kNodes - static_cast<int>(kCap));
}

// Web Push: browsers' subscriptions and the per-camera switch (migration 3).
namespace {
PushSubscriptionRecord browser(const std::string& endpoint, UnixTime createdAt = 100) {
  PushSubscriptionRecord s;
  s.endpoint = endpoint;
  s.p256dh = "key-" + endpoint;
  s.auth = "auth-" + endpoint;
  s.createdAt = createdAt;
  return s;
}
std::vector<std::string> endpointsOf(const std::vector<PushSubscriptionRecord>& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s.endpoint);
  return out;
}
}  // namespace

TEST_F(StoreTest, PushGoesToTheOwnersBrowsersOnlyWhileTheCameraSwitchIsOn) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  store->addCamera("sc-B", 1);
  ASSERT_EQ(store->claimCamera("sc-B", ann, "Garden"), ClaimOutcome::claimed);
  store->addCamera("sc-C", 1);
  auto bob = store->registerUser("Bob", "h", "sc-C", "Bob's", session("h2")).user->id;

  store->savePushSubscription(ann, browser("https://push/ann-phone"), 0);
  auto onlyGarden = browser("https://push/ann-laptop", 200);
  onlyGarden.allCameras = false;
  onlyGarden.cameras = {"sc-B"};
  store->savePushSubscription(ann, onlyGarden, 0);
  store->savePushSubscription(bob, browser("https://push/bob"), 0);

  // Off until the owner turns it on.
  EXPECT_EQ(store->cameraNotifications("sc-A", ann), std::optional<bool>(false));
  EXPECT_TRUE(store->pushTargetsFor("sc-A").subscriptions.empty());
  // Only the owner can turn it on.
  EXPECT_FALSE(store->setCameraNotifications("sc-A", bob, true));
  EXPECT_EQ(store->cameraNotifications("sc-A", bob), std::nullopt);
  EXPECT_TRUE(store->setCameraNotifications("sc-A", ann, true));
  EXPECT_TRUE(store->setCameraNotifications("sc-B", ann, true));

  auto front = store->pushTargetsFor("sc-A");
  EXPECT_EQ(front.cameraName, "Front door");
  EXPECT_EQ(endpointsOf(front.subscriptions), std::vector<std::string>{"https://push/ann-phone"});
  EXPECT_EQ(front.subscriptions[0].p256dh, "key-https://push/ann-phone");
  EXPECT_EQ(endpointsOf(store->pushTargetsFor("sc-B").subscriptions),
            (std::vector<std::string>{"https://push/ann-phone", "https://push/ann-laptop"}));

  EXPECT_TRUE(store->setCameraNotifications("sc-A", ann, false));
  EXPECT_TRUE(store->pushTargetsFor("sc-A").subscriptions.empty());

  // A new owner starts with the switch off.
  ASSERT_TRUE(store->unclaimCamera("sc-B", ann));
  EXPECT_TRUE(store->pushTargetsFor("sc-B").subscriptions.empty());
  ASSERT_EQ(store->claimCamera("sc-B", bob, "Now Bob's"), ClaimOutcome::claimed);
  EXPECT_EQ(store->cameraNotifications("sc-B", bob), std::optional<bool>(false));
}

TEST_F(StoreTest, PushSubscriptionsAreKeptPerEndpointCappedAndDeletable) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  store->addCamera("sc-C", 1);
  auto bob = store->registerUser("Bob", "h", "sc-C", "Bob's", session("h2")).user->id;

  auto limited = browser("https://push/1", 100);
  limited.allCameras = false;
  limited.cameras = {"sc-A"};
  store->savePushSubscription(ann, limited, 0);
  auto list = store->pushSubscriptionsOf(ann);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].allCameras);
  EXPECT_EQ(list[0].cameras, std::vector<std::string>{"sc-A"});

  // The same endpoint again replaces the row (here: now for every camera).
  store->savePushSubscription(ann, browser("https://push/1", 150), 0);
  list = store->pushSubscriptionsOf(ann);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].allCameras);
  EXPECT_TRUE(list[0].cameras.empty());

  // Past the cap the oldest goes.
  store->savePushSubscription(ann, browser("https://push/2", 200), 2);
  store->savePushSubscription(ann, browser("https://push/3", 300), 2);
  EXPECT_EQ(endpointsOf(store->pushSubscriptionsOf(ann)),
            (std::vector<std::string>{"https://push/2", "https://push/3"}));

  // A browser that another account subscribes moves to it.
  store->savePushSubscription(bob, browser("https://push/3", 400), 0);
  EXPECT_EQ(endpointsOf(store->pushSubscriptionsOf(ann)),
            std::vector<std::string>{"https://push/2"});

  EXPECT_FALSE(store->deletePushSubscription(bob, "https://push/2"));
  EXPECT_TRUE(store->deletePushSubscription(ann, "https://push/2"));
  EXPECT_TRUE(store->deletePushSubscriptionByEndpoint("https://push/3"));
  EXPECT_FALSE(store->deletePushSubscriptionByEndpoint("https://push/3"));
  EXPECT_TRUE(store->pushSubscriptionsOf(bob).empty());

  // Kept across reopening.
  store->savePushSubscription(ann, browser("https://push/4", 500), 0);
  store.reset();
  store = open();
  EXPECT_EQ(endpointsOf(store->pushSubscriptionsOf(ann)),
            std::vector<std::string>{"https://push/4"});
}

// ---- Motion events ----
namespace {
EventRecord motion(const std::string& camera, const std::string& id, std::int64_t start,
                   std::optional<std::int64_t> end = std::nullopt, double score = 0.1) {
  EventRecord e;
  e.cameraId = camera;
  e.eventId = id;
  e.kind = "motion";
  e.startMs = start;
  e.endMs = end;
  if (end) e.durationMs = *end - start;
  e.score = score;
  e.receivedAtMs = start + 5;
  return e;
}
std::vector<std::string> idsOf(const std::optional<std::vector<EventRecord>>& events) {
  std::vector<std::string> out;
  if (events) {
    for (const auto& e : *events) out.push_back(e.eventId);
  }
  return out;
}
}  // namespace

TEST_F(StoreTest, AnEventsSecondReportUpdatesItAndRepeatsAreHarmless) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  EXPECT_EQ(store->saveEvent(motion("sc-A", "20261201-030405-678", 1000, std::nullopt, 0.04)),
            EventSaveOutcome::added);
  EXPECT_EQ(store->saveEvent(motion("sc-A", "20261201-030405-678", 1000, std::nullopt, 0.04)),
            EventSaveOutcome::updated);
  auto end = motion("sc-A", "20261201-030405-678", 1000, 6552, 0.11);
  end.kind = "other";  // kind and start stay as first reported
  end.startMs = 999;
  EXPECT_EQ(store->saveEvent(end), EventSaveOutcome::updated);
  // A late repeat of the start changes nothing (the end stays, the larger score stays).
  EXPECT_EQ(store->saveEvent(motion("sc-A", "20261201-030405-678", 1000, std::nullopt, 0.04)),
            EventSaveOutcome::updated);

  auto events = store->eventsOf("sc-A", ann, {});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  const auto& e = events->front();
  EXPECT_EQ(e.cameraId, "sc-A");
  EXPECT_EQ(e.eventId, "20261201-030405-678");
  EXPECT_EQ(e.kind, "motion");
  EXPECT_EQ(e.startMs, 1000);
  EXPECT_EQ(e.endMs, std::optional<std::int64_t>(6552));
  EXPECT_EQ(e.durationMs, std::optional<std::int64_t>(5552));
  EXPECT_DOUBLE_EQ(e.score, 0.11);
  EXPECT_EQ(e.receivedAtMs, 1005);
  // The same ID from another camera is another event.
  store->addCamera("sc-B", 1);
  ASSERT_EQ(store->claimCamera("sc-B", ann, "Garden"), ClaimOutcome::claimed);
  EXPECT_EQ(store->saveEvent(motion("sc-B", "20261201-030405-678", 1000)), EventSaveOutcome::added);
  EXPECT_EQ(idsOf(store->eventsOf("sc-A", ann, {})).size(), 1u);
}

TEST_F(StoreTest, EventsAreListedPerCameraNewestFirstAndOnlyToTheOwner) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  store->addCamera("sc-C", 1);
  auto bob = store->registerUser("Bob", "h", "sc-C", "Bob's", session("h2")).user->id;
  for (int i = 0; i < 5; ++i) store->saveEvent(motion("sc-A", "a" + std::to_string(i), 1000 + i));
  store->saveEvent(motion("sc-A", "b", 1002));  // same start as a2: ordered by ID
  store->saveEvent(motion("sc-C", "c0", 1003));

  EXPECT_EQ(idsOf(store->eventsOf("sc-A", ann, {})),
            (std::vector<std::string>{"a4", "a3", "b", "a2", "a1", "a0"}));
  EXPECT_EQ(idsOf(store->eventsOf("sc-C", bob, {})), std::vector<std::string>{"c0"});
  // Another account's camera: nothing, not even an empty list.
  EXPECT_EQ(store->eventsOf("sc-A", bob, {}), std::nullopt);
  EXPECT_EQ(store->eventsOf("sc-nope", ann, {}), std::nullopt);

  EventQuery range;
  range.fromMs = 1001;
  range.toMs = 1004;
  EXPECT_EQ(idsOf(store->eventsOf("sc-A", ann, range)),
            (std::vector<std::string>{"a3", "b", "a2", "a1"}));
  // Pages of two, each after the last of the one before.
  EventQuery page;
  page.limit = 2;
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) {
    auto got = store->eventsOf("sc-A", ann, page);
    ASSERT_TRUE(got);
    if (got->empty()) break;
    for (const auto& e : *got) all.push_back(e.eventId);
    page.beforeStartMs = got->back().startMs;
    page.beforeEventId = got->back().eventId;
  }
  EXPECT_EQ(all, (std::vector<std::string>{"a4", "a3", "b", "a2", "a1", "a0"}));
}

TEST_F(StoreTest, ANewOwnerSeesNoneOfThePreviousOwnersEvents) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  store->addCamera("sc-C", 1);
  auto bob = store->registerUser("Bob", "h", "sc-C", "Bob's", session("h2")).user->id;
  EXPECT_EQ(store->saveEvent(motion("sc-A", "e1", 1000)), EventSaveOutcome::added);
  ASSERT_TRUE(store->unclaimCamera("sc-A", ann));
  // While unclaimed, a camera's events are not kept.
  EXPECT_EQ(store->saveEvent(motion("sc-A", "e2", 2000)), EventSaveOutcome::noOwner);
  ASSERT_EQ(store->claimCamera("sc-A", bob, "Bob's now"), ClaimOutcome::claimed);
  auto events = store->eventsOf("sc-A", bob, {});
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());
  EXPECT_EQ(store->eventsOf("sc-A", ann, {}), std::nullopt);
  // The old ID again is a new event of the new owner's.
  EXPECT_EQ(store->saveEvent(motion("sc-A", "e1", 3000)), EventSaveOutcome::added);
  EXPECT_EQ(idsOf(store->eventsOf("sc-A", bob, {})), std::vector<std::string>{"e1"});
  // Unknown and revoked cameras keep nothing.
  EXPECT_EQ(store->saveEvent(motion("sc-nope", "e1", 3000)), EventSaveOutcome::noOwner);
  ASSERT_TRUE(store->revokeCamera("sc-C"));
  EXPECT_EQ(store->saveEvent(motion("sc-C", "e1", 3000)), EventSaveOutcome::noOwner);
}

TEST_F(StoreTest, EventRetentionByAgeAndPerCameraCap) {
  auto store = open();
  auto ann = registerAnn(*store, "sc-A");
  store->addCamera("sc-B", 1);
  ASSERT_EQ(store->claimCamera("sc-B", ann, "Garden"), ClaimOutcome::claimed);
  for (int i = 0; i < 10; ++i) {
    store->saveEvent(motion("sc-A", "a" + std::to_string(i), 1000 + i));
    store->saveEvent(motion("sc-B", "b" + std::to_string(i), 2000 + i));
  }
  // Older than 1003 goes (a0..a2); then each camera keeps its newest 4.
  EXPECT_EQ(store->sweepEvents(1003, 4), 3 + 3 + 6);
  EXPECT_EQ(idsOf(store->eventsOf("sc-A", ann, {})),
            (std::vector<std::string>{"a9", "a8", "a7", "a6"}));
  EXPECT_EQ(idsOf(store->eventsOf("sc-B", ann, {})),
            (std::vector<std::string>{"b9", "b8", "b7", "b6"}));
  EXPECT_EQ(store->sweepEvents(1003, 4), 0);
}
