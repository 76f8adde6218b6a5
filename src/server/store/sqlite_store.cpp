// The SQLite implementation of Store: one connection in WAL mode, serialised by a mutex
// (callers are worker-pool threads, never IO threads).
#include <chrono>
#include <mutex>
#include <thread>

#include "server/store/sqlite_connection.hpp"
#include "server/store/schema_migrations.hpp"
#include "server/store/sqlite_migrations.hpp"
#include "server/store/store.hpp"

namespace seccam::server::store {
namespace {

CameraRecord readCamera(const SqliteStatement& row) {
  CameraRecord c;
  c.id = row.text(0);
  c.provisionedAt = row.integer(1);
  c.revoked = row.integer(2) != 0;
  c.ownerId = row.optionalInteger(3);
  c.ownerUsername = row.optionalText(4);
  c.name = row.text(5);
  c.lastSeen = row.optionalInteger(6);
  return c;
}

constexpr int kWalSwitchAttempts = 50;  // 20 ms apart: a second at most

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    // Switching a fresh file to WAL takes an exclusive lock and does not wait on the busy
    // handler: two processes opening one new file at once (nodes sharing a file, tests) see
    // "database is locked" for a moment. A bounded retry rides it out.
    for (int attempt = 1;; ++attempt) {
      try {
        db_.execute("PRAGMA journal_mode = WAL");
        break;
      } catch (const StoreError&) {
        if (attempt == kWalSwitchAttempts) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    db_.execute("PRAGMA synchronous = NORMAL");
    db_.execute("PRAGMA foreign_keys = ON");
    migrate(db_);
  }

  std::optional<UserRecord> findUserByUsername(const std::string& username) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_, "SELECT id, username, password_hash FROM users WHERE username = ?");
    q.bind(1, username);
    if (!q.step()) return std::nullopt;
    return UserRecord{q.integer(0), q.text(1), q.text(2)};
  }

  RegisterResult registerUser(const std::string& username, const std::string& passwordHash,
                              const std::string& cameraId, const std::string& cameraName,
                              const NewSession& session) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    UserId id = 0;
    try {
      SqliteStatement insert(
          db_, "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)");
      insert.bind(1, username).bind(2, passwordHash).bind(3, session.createdAt).step();
      id = db_.lastInsertId();
    } catch (const ConstraintViolation&) {
      return {RegisterOutcome::usernameTaken, std::nullopt};
    }
    if (claimLocked(cameraId, id, cameraName, session.createdAt) != ClaimOutcome::claimed) {
      return {RegisterOutcome::cameraUnavailable, std::nullopt};
    }
    insertSessionLocked(id, session);
    transaction.commit();
    return {RegisterOutcome::registered, UserRecord{id, username, passwordHash}};
  }

  std::vector<std::string> createSession(UserId user, const NewSession& session,
                                         std::size_t keepNewest) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    insertSessionLocked(user, session);
    std::vector<std::string> ended;
    if (keepNewest > 0) {
      SqliteStatement oldest(db_,
                             "SELECT token_hash FROM sessions WHERE user_id = ? "
                             "ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?");
      oldest.bind(1, user).bind(2, static_cast<std::int64_t>(keepNewest));
      while (oldest.step()) ended.push_back(oldest.text(0));
      for (const auto& hash : ended) {
        SqliteStatement(db_, "DELETE FROM sessions WHERE token_hash = ?").bind(1, hash).step();
      }
    }
    transaction.commit();
    return ended;
  }

  void touchSession(const std::string& tokenHash, UnixTime now) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_,
                    "UPDATE sessions SET last_seen = ? WHERE token_hash = ? "
                    "AND (last_seen IS NULL OR last_seen <= ?)")
        .bind(1, now)
        .bind(2, tokenHash)
        .bind(3, now - kLastSeenResolutionSeconds)
        .step();
  }

  std::vector<SessionRecord> sessionsOf(UserId user, UnixTime now) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_,
                      "SELECT rowid, token_hash, created_at, last_seen, expires_at, user_agent "
                      "FROM sessions WHERE user_id = ? AND expires_at > ? "
                      "ORDER BY created_at DESC, rowid DESC");
    q.bind(1, user).bind(2, now);
    std::vector<SessionRecord> out;
    while (q.step()) {
      out.push_back(
          {q.integer(0), q.text(1), q.integer(2), q.optionalInteger(3), q.integer(4), q.text(5)});
    }
    return out;
  }

  std::optional<std::string> deleteSessionOf(UserId user, std::int64_t id) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement q(db_, "SELECT token_hash FROM sessions WHERE rowid = ? AND user_id = ?");
    q.bind(1, id).bind(2, user);
    if (!q.step()) return std::nullopt;
    auto hash = q.text(0);
    SqliteStatement(db_, "DELETE FROM sessions WHERE token_hash = ?").bind(1, hash).step();
    transaction.commit();
    return hash;
  }

  std::vector<std::string> deleteSessionsOf(UserId user) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement q(db_, "SELECT token_hash FROM sessions WHERE user_id = ?");
    q.bind(1, user);
    std::vector<std::string> hashes;
    while (q.step()) hashes.push_back(q.text(0));
    SqliteStatement(db_, "DELETE FROM sessions WHERE user_id = ?").bind(1, user).step();
    transaction.commit();
    return hashes;
  }

  std::optional<UserRecord> userForSession(const std::string& tokenHash, UnixTime now) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(
        db_,
        "SELECT u.id, u.username, u.password_hash FROM sessions s "
        "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?");
    q.bind(1, tokenHash).bind(2, now);
    if (!q.step()) return std::nullopt;
    return UserRecord{q.integer(0), q.text(1), q.text(2)};
  }

  void deleteSession(const std::string& tokenHash) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "DELETE FROM sessions WHERE token_hash = ?").bind(1, tokenHash).step();
  }

  int deleteExpiredSessions(UnixTime now) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "DELETE FROM sessions WHERE expires_at <= ?").bind(1, now).step();
    return db_.changes();
  }

  void addCamera(const std::string& cameraId, UnixTime provisionedAt) override {
    std::lock_guard lock(mutex_);
    try {
      SqliteStatement(db_, "INSERT INTO cameras (id, provisioned_at) VALUES (?, ?)")
          .bind(1, cameraId)
          .bind(2, provisionedAt)
          .step();
    } catch (const ConstraintViolation&) {
      throw StoreError("camera " + cameraId + " already exists");
    }
  }

  std::optional<CameraRecord> findCamera(const std::string& cameraId) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_, std::string(kCameraColumns) + "WHERE c.id = ?");
    q.bind(1, cameraId);
    if (!q.step()) return std::nullopt;
    return readCamera(q);
  }

  std::vector<CameraRecord> listCameras() override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_, std::string(kCameraColumns) + "ORDER BY c.provisioned_at, c.id");
    std::vector<CameraRecord> out;
    while (q.step()) out.push_back(readCamera(q));
    return out;
  }

  std::vector<CameraRecord> camerasOwnedBy(UserId user) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(
        db_, std::string(kCameraColumns) + "WHERE c.owner_id = ? ORDER BY c.claimed_at, c.id");
    q.bind(1, user);
    std::vector<CameraRecord> out;
    while (q.step()) out.push_back(readCamera(q));
    return out;
  }

  ClaimOutcome claimCamera(const std::string& cameraId, UserId user,
                           const std::string& name) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    auto outcome = claimLocked(cameraId, user, name, std::nullopt);
    if (outcome == ClaimOutcome::claimed) transaction.commit();
    return outcome;
  }

  bool renameCamera(const std::string& cameraId, UserId user, const std::string& name) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "UPDATE cameras SET name = ? WHERE id = ? AND owner_id = ?")
        .bind(1, name)
        .bind(2, cameraId)
        .bind(3, user)
        .step();
    return db_.changes() == 1;
  }

  bool unclaimCamera(const std::string& cameraId, UserId user) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement(db_,
                    "UPDATE cameras SET owner_id = NULL, name = '', claimed_at = NULL "
                    "WHERE id = ? AND owner_id = ?")
        .bind(1, cameraId)
        .bind(2, user)
        .step();
    if (db_.changes() != 1) return false;
    // The events were this owner's: the camera's next owner starts with none.
    SqliteStatement(db_, "DELETE FROM camera_events WHERE camera_id = ?").bind(1, cameraId).step();
    transaction.commit();
    return true;
  }

  bool revokeCamera(const std::string& cameraId) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "UPDATE cameras SET revoked = 1 WHERE id = ?").bind(1, cameraId).step();
    return db_.changes() == 1;
  }

  void recordCameraSeen(const std::string& cameraId, UnixTime when) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "UPDATE cameras SET last_seen = ? WHERE id = ?")
        .bind(1, when)
        .bind(2, cameraId)
        .step();
  }

  // ---- Web Push ----
  std::int64_t savePushSubscription(UserId user, const PushSubscriptionRecord& subscription,
                                    std::size_t keepNewest) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement(db_, "DELETE FROM push_subscriptions WHERE endpoint = ?")
        .bind(1, subscription.endpoint)
        .step();
    SqliteStatement(db_,
                    "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, all_cameras, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, user)
        .bind(2, subscription.endpoint)
        .bind(3, subscription.p256dh)
        .bind(4, subscription.auth)
        .bind(5, static_cast<std::int64_t>(subscription.allCameras ? 1 : 0))
        .bind(6, subscription.createdAt)
        .step();
    auto id = db_.lastInsertId();
    if (!subscription.allCameras) {
      for (const auto& camera : subscription.cameras) {
        SqliteStatement(db_,
                        "INSERT OR IGNORE INTO push_subscription_cameras (subscription_id, "
                        "camera_id) VALUES (?, ?)")
            .bind(1, id)
            .bind(2, camera)
            .step();
      }
    }
    if (keepNewest > 0) {
      SqliteStatement(db_,
                      "DELETE FROM push_subscriptions WHERE id IN (SELECT id FROM "
                      "push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, id DESC "
                      "LIMIT -1 OFFSET ?)")
          .bind(1, user)
          .bind(2, static_cast<std::int64_t>(keepNewest))
          .step();
    }
    transaction.commit();
    return id;
  }

  std::vector<PushSubscriptionRecord> pushSubscriptionsOf(UserId user) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_,
                      "SELECT id, user_id, endpoint, p256dh, auth, all_cameras, created_at "
                      "FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id");
    q.bind(1, user);
    return readSubscriptionsLocked(q);
  }

  bool deletePushSubscription(UserId user, const std::string& endpoint) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?")
        .bind(1, endpoint)
        .bind(2, user)
        .step();
    return db_.changes() == 1;
  }

  bool deletePushSubscriptionByEndpoint(const std::string& endpoint) override {
    std::lock_guard lock(mutex_);
    SqliteStatement(db_, "DELETE FROM push_subscriptions WHERE endpoint = ?")
        .bind(1, endpoint)
        .step();
    return db_.changes() == 1;
  }

  bool setCameraNotifications(const std::string& cameraId, UserId user, bool enabled) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement owner(db_, "SELECT 1 FROM cameras WHERE id = ? AND owner_id = ?");
    owner.bind(1, cameraId).bind(2, user);
    if (!owner.step()) return false;
    SqliteStatement(
        db_,
        "INSERT INTO camera_notifications (camera_id, user_id, enabled) VALUES (?, ?, ?) "
        "ON CONFLICT (camera_id, user_id) DO UPDATE SET enabled = excluded.enabled")
        .bind(1, cameraId)
        .bind(2, user)
        .bind(3, static_cast<std::int64_t>(enabled ? 1 : 0))
        .step();
    transaction.commit();
    return true;
  }

  std::optional<bool> cameraNotifications(const std::string& cameraId, UserId user) override {
    std::lock_guard lock(mutex_);
    SqliteStatement q(db_,
                      "SELECT n.enabled FROM cameras c LEFT JOIN camera_notifications n "
                      "ON n.camera_id = c.id AND n.user_id = c.owner_id "
                      "WHERE c.id = ? AND c.owner_id = ?");
    q.bind(1, cameraId).bind(2, user);
    if (!q.step()) return std::nullopt;
    return q.optionalInteger(0).value_or(0) != 0;
  }

  PushTargetsRecord pushTargetsFor(const std::string& cameraId) override {
    std::lock_guard lock(mutex_);
    PushTargetsRecord targets;
    SqliteStatement camera(db_,
                           "SELECT c.name FROM cameras c JOIN camera_notifications n "
                           "ON n.camera_id = c.id AND n.user_id = c.owner_id "
                           "WHERE c.id = ? AND c.revoked = 0 AND n.enabled = 1");
    camera.bind(1, cameraId);
    if (!camera.step()) return targets;
    targets.cameraName = camera.text(0);
    SqliteStatement q(db_,
                      "SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.all_cameras, "
                      "s.created_at FROM push_subscriptions s JOIN cameras c ON c.owner_id = "
                      "s.user_id WHERE c.id = ? AND (s.all_cameras = 1 OR EXISTS (SELECT 1 FROM "
                      "push_subscription_cameras p WHERE p.subscription_id = s.id AND "
                      "p.camera_id = c.id)) ORDER BY s.created_at, s.id");
    q.bind(1, cameraId);
    targets.subscriptions = readSubscriptionsLocked(q);
    return targets;
  }

  // ---- Motion events ----
  EventSaveOutcome saveEvent(const EventRecord& e) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement known(db_, "SELECT 1 FROM camera_events WHERE camera_id = ? AND event_id = ?");
    known.bind(1, e.cameraId).bind(2, e.eventId);
    bool existed = known.step();
    // Only under the camera's current owner; a known event keeps its kind and start.
    SqliteStatement(db_,
                    "INSERT INTO camera_events (camera_id, event_id, owner_id, kind, start_ms, "
                    "end_ms, duration_ms, score, received_ms) SELECT id, ?, owner_id, ?, ?, ?, ?, "
                    "?, ? FROM cameras WHERE id = ? AND owner_id IS NOT NULL AND revoked = 0 "
                    "ON CONFLICT (camera_id, event_id) DO UPDATE SET "
                    "end_ms = COALESCE(excluded.end_ms, end_ms), "
                    "duration_ms = COALESCE(excluded.duration_ms, duration_ms), "
                    "score = MAX(score, excluded.score)")
        .bind(1, e.eventId)
        .bind(2, e.kind)
        .bind(3, e.startMs)
        .bind(4, e.endMs)
        .bind(5, e.durationMs)
        .bindReal(6, e.score)
        .bind(7, e.receivedAtMs)
        .bind(8, e.cameraId)
        .step();
    if (db_.changes() != 1) return EventSaveOutcome::noOwner;
    transaction.commit();
    return existed ? EventSaveOutcome::updated : EventSaveOutcome::added;
  }

  std::optional<std::vector<EventRecord>> eventsOf(const std::string& cameraId, UserId user,
                                                   const EventQuery& query) override {
    std::lock_guard lock(mutex_);
    SqliteStatement owner(db_, "SELECT 1 FROM cameras WHERE id = ? AND owner_id = ?");
    owner.bind(1, cameraId).bind(2, user);
    if (!owner.step()) return std::nullopt;
    SqliteStatement q(db_,
                      "SELECT camera_id, event_id, kind, start_ms, end_ms, duration_ms, score, "
                      "received_ms FROM camera_events WHERE camera_id = ?1 AND owner_id = ?2 "
                      "AND (?3 IS NULL OR start_ms >= ?3) AND (?4 IS NULL OR start_ms < ?4) "
                      "AND (?5 IS NULL OR start_ms < ?5 OR (start_ms = ?5 AND event_id < ?6)) "
                      "ORDER BY start_ms DESC, event_id DESC LIMIT ?7");
    q.bind(1, cameraId)
        .bind(2, user)
        .bind(3, query.fromMs)
        .bind(4, query.toMs)
        .bind(5, query.beforeStartMs)
        .bind(6, query.beforeEventId)
        .bind(7, static_cast<std::int64_t>(query.limit));
    std::vector<EventRecord> out;
    while (q.step()) {
      EventRecord e;
      e.cameraId = q.text(0);
      e.eventId = q.text(1);
      e.kind = q.text(2);
      e.startMs = q.integer(3);
      e.endMs = q.optionalInteger(4);
      e.durationMs = q.optionalInteger(5);
      e.score = q.real(6);
      e.receivedAtMs = q.integer(7);
      out.push_back(std::move(e));
    }
    return out;
  }

  int sweepEvents(std::int64_t olderThanMs, std::size_t keepPerCamera) override {
    std::lock_guard lock(mutex_);
    SqliteTransaction transaction(db_);
    SqliteStatement(db_, "DELETE FROM camera_events WHERE start_ms < ?")
        .bind(1, olderThanMs)
        .step();
    int removed = db_.changes();
    // Only cameras over the cap are looked at row by row.
    SqliteStatement over(db_,
                         "SELECT camera_id FROM camera_events GROUP BY camera_id "
                         "HAVING COUNT(*) > ?");
    over.bind(1, static_cast<std::int64_t>(keepPerCamera));
    std::vector<std::string> cameras;
    while (over.step()) cameras.push_back(over.text(0));
    for (const auto& camera : cameras) {
      SqliteStatement(db_,
                      "DELETE FROM camera_events WHERE camera_id = ?1 AND rowid IN (SELECT rowid "
                      "FROM camera_events WHERE camera_id = ?1 ORDER BY start_ms DESC, "
                      "event_id DESC LIMIT -1 OFFSET ?2)")
          .bind(1, camera)
          .bind(2, static_cast<std::int64_t>(keepPerCamera))
          .step();
      removed += db_.changes();
    }
    transaction.commit();
    return removed;
  }

 private:
  // Rows of (id, user_id, endpoint, p256dh, auth, all_cameras, created_at), with each
  // subscription's camera list.
  std::vector<PushSubscriptionRecord> readSubscriptionsLocked(SqliteStatement& q) {
    std::vector<PushSubscriptionRecord> out;
    while (q.step()) {
      PushSubscriptionRecord r;
      r.id = q.integer(0);
      r.userId = q.integer(1);
      r.endpoint = q.text(2);
      r.p256dh = q.text(3);
      r.auth = q.text(4);
      r.allCameras = q.integer(5) != 0;
      r.createdAt = q.integer(6);
      out.push_back(std::move(r));
    }
    for (auto& r : out) {
      if (r.allCameras) continue;
      SqliteStatement cameras(db_,
                              "SELECT camera_id FROM push_subscription_cameras "
                              "WHERE subscription_id = ? ORDER BY camera_id");
      cameras.bind(1, r.id);
      while (cameras.step()) r.cameras.push_back(cameras.text(0));
    }
    return out;
  }

  // claimed_at only orders a user's cameras; without `when` the SQL clock sets it.
  ClaimOutcome claimLocked(const std::string& cameraId, UserId user, const std::string& name,
                           std::optional<UnixTime> when) {
    SqliteStatement q(db_, "SELECT revoked, owner_id FROM cameras WHERE id = ?");
    q.bind(1, cameraId);
    if (!q.step()) return ClaimOutcome::unknownCamera;
    if (q.integer(0) != 0) return ClaimOutcome::revoked;
    if (!q.isNull(1)) return ClaimOutcome::alreadyClaimed;
    SqliteStatement update(db_,
                           "UPDATE cameras SET owner_id = ?, name = ?, "
                           "claimed_at = COALESCE(?, CAST(strftime('%s','now') AS INTEGER)) "
                           "WHERE id = ? AND owner_id IS NULL");
    update.bind(1, user).bind(2, name).bind(3, when).bind(4, cameraId).step();
    return db_.changes() == 1 ? ClaimOutcome::claimed : ClaimOutcome::alreadyClaimed;
  }

  void insertSessionLocked(UserId user, const NewSession& session) {
    SqliteStatement(db_,
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, "
                    "last_seen, user_agent) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, session.tokenHash)
        .bind(2, user)
        .bind(3, session.createdAt)
        .bind(4, session.expiresAt)
        .bind(5, session.createdAt)
        .bind(6, session.userAgent)
        .step();
  }

  std::mutex mutex_;
  SqliteConnection db_;
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace seccam::server::store
