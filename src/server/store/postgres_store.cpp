// The PostgreSQL implementation of Store. Several server nodes share the database, so where
// the SQLite store relies on being the only writer (one connection behind a mutex), this
// one lets PostgreSQL decide: single statements whose WHERE re-checks the row after a
// concurrent change (READ COMMITTED re-evaluates an UPDATE on the row it waited for),
// ON CONFLICT on the case-blind username index, and a row lock on the account where a
// read decides a later write (the session cap).
#include "server/store/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "server/store/postgres_pool.hpp"
#include "server/store/schema_migrations.hpp"

namespace seccam::server::store {
namespace {

// Taken by every node before it looks at the schema: the second of two nodes starting at once
// waits, then finds the schema up to date. Any constant unique to SecCam will do ("SecCam"
// in ASCII).
constexpr std::int64_t kMigrationLockKey = 0x536563436164;

template <typename T>
std::optional<T> optionalField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

CameraRecord readCamera(const pqxx::row& row) {
  CameraRecord c;
  c.id = row[0].as<std::string>();
  c.provisionedAt = row[1].as<std::int64_t>();
  c.revoked = row[2].as<int>() != 0;
  c.ownerId = optionalField<std::int64_t>(row[3]);
  c.ownerUsername = optionalField<std::string>(row[4]);
  c.name = row[5].as<std::string>();
  c.lastSeen = optionalField<std::int64_t>(row[6]);
  return c;
}

std::vector<CameraRecord> readCameras(const pqxx::result& rows) {
  std::vector<CameraRecord> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(readCamera(row));
  return out;
}

UserRecord readUser(const pqxx::row& row) {
  return {row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>()};
}

std::vector<std::string> firstColumn(const pqxx::result& rows) {
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(row[0].as<std::string>());
  return out;
}

// The schema_version table holds one row; a database without it is empty (version 0).
void migrate(pqxx::connection& connection) {
  pqxx::work tx(connection);
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  tx.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  auto rows = tx.exec("SELECT version FROM schema_version");
  int version = rows.empty() ? 0 : rows[0][0].as<int>();
  if (version > latestSchemaVersion()) {
    throw StoreError("the database has schema version " + std::to_string(version) +
                     ", newer than this build knows (" + std::to_string(latestSchemaVersion()) +
                     "); refusing to touch it");
  }
  if (version == latestSchemaVersion()) return;  // rolled back: nothing was changed
  auto migrations = schemaMigrations();
  for (int next = version + 1; next <= latestSchemaVersion(); ++next) {
    tx.exec(std::string(migrations[static_cast<std::size_t>(next - 1)].postgres));
  }
  if (rows.empty()) {
    tx.exec_params("INSERT INTO schema_version (version) VALUES ($1)", latestSchemaVersion());
  } else {
    tx.exec_params("UPDATE schema_version SET version = $1", latestSchemaVersion());
  }
  tx.commit();
  spdlog::info("PostgreSQL schema migrated from version {} to {}", version, latestSchemaVersion());
}

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& url, std::size_t poolSize) : pool_(url, poolSize) {
    pool_.run([](pqxx::connection& c) { migrate(c); });
  }

  std::optional<UserRecord> findUserByUsername(const std::string& username) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<UserRecord> {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(
          "SELECT id, username, password_hash FROM users WHERE lower(username) = lower($1)",
          username);
      if (rows.empty()) return std::nullopt;
      return readUser(rows[0]);
    });
  }

  RegisterResult registerUser(const std::string& username, const std::string& passwordHash,
                              const std::string& cameraId, const std::string& cameraName,
                              const NewSession& session) override {
    return pool_.run([&](pqxx::connection& c) -> RegisterResult {
      pqxx::work tx(c);
      // A concurrent sign-up of the same name waits here for the other's transaction: its
      // commit makes this one "taken", its rollback lets this one in.
      auto inserted = tx.exec_params(
          "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3) "
          "ON CONFLICT ((lower(username))) DO NOTHING RETURNING id",
          username, passwordHash, session.createdAt);
      if (inserted.empty()) return {RegisterOutcome::usernameTaken, std::nullopt};
      auto id = inserted[0][0].as<std::int64_t>();
      if (claim(tx, cameraId, id, cameraName, session.createdAt) != ClaimOutcome::claimed) {
        return {RegisterOutcome::cameraUnavailable, std::nullopt};  // rolled back
      }
      insertSession(tx, id, session);
      tx.commit();
      return {RegisterOutcome::registered, UserRecord{id, username, passwordHash}};
    });
  }

  std::vector<std::string> createSession(UserId user, const NewSession& session,
                                         std::size_t keepNewest) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      std::vector<std::string> ended;
      if (keepNewest > 0) {
        // Sign-ins of one account on several nodes take turns, so that the cap holds.
        tx.exec_params("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", user);
      }
      insertSession(tx, user, session);
      if (keepNewest > 0) {
        ended = firstColumn(tx.exec_params(
            "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions "
            "WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2) "
            "RETURNING token_hash",
            user, static_cast<std::int64_t>(keepNewest)));
      }
      tx.commit();
      return ended;
    });
  }

  std::optional<UserRecord> userForSession(const std::string& tokenHash, UnixTime now) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<UserRecord> {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(
          "SELECT u.id, u.username, u.password_hash FROM sessions s "
          "JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
          tokenHash, now);
      if (rows.empty()) return std::nullopt;
      return readUser(rows[0]);
    });
  }

  void touchSession(const std::string& tokenHash, UnixTime now) override {
    pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec_params(
          "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2 "
          "AND (last_seen IS NULL OR last_seen <= $3)",
          now, tokenHash, now - kLastSeenResolutionSeconds);
    });
  }

  std::vector<SessionRecord> sessionsOf(UserId user, UnixTime now) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(
          "SELECT id, token_hash, created_at, last_seen, expires_at, user_agent "
          "FROM sessions WHERE user_id = $1 AND expires_at > $2 "
          "ORDER BY created_at DESC, id DESC",
          user, now);
      std::vector<SessionRecord> out;
      for (const auto& row : rows) {
        out.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(),
                       row[2].as<std::int64_t>(), optionalField<std::int64_t>(row[3]),
                       row[4].as<std::int64_t>(), row[5].as<std::string>()});
      }
      return out;
    });
  }

  std::optional<std::string> deleteSessionOf(UserId user, std::int64_t id) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<std::string> {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(
          "DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING token_hash", id, user);
      if (rows.empty()) return std::nullopt;
      return rows[0][0].as<std::string>();
    });
  }

  std::vector<std::string> deleteSessionsOf(UserId user) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return firstColumn(
          tx.exec_params("DELETE FROM sessions WHERE user_id = $1 RETURNING token_hash", user));
    });
  }

  void deleteSession(const std::string& tokenHash) override {
    pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec_params("DELETE FROM sessions WHERE token_hash = $1", tokenHash);
    });
  }

  int deleteExpiredSessions(UnixTime now) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return static_cast<int>(
          tx.exec_params("DELETE FROM sessions WHERE expires_at <= $1", now).affected_rows());
    });
  }

  void addCamera(const std::string& cameraId, UnixTime provisionedAt) override {
    pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      try {
        tx.exec_params("INSERT INTO cameras (id, provisioned_at) VALUES ($1, $2)", cameraId,
                       provisionedAt);
      } catch (const pqxx::unique_violation&) {
        throw StoreError("camera " + cameraId + " already exists");
      }
    });
  }

  std::optional<CameraRecord> findCamera(const std::string& cameraId) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<CameraRecord> {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(std::string(kCameraColumns) + "WHERE c.id = $1", cameraId);
      if (rows.empty()) return std::nullopt;
      return readCamera(rows[0]);
    });
  }

  std::vector<CameraRecord> listCameras() override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return readCameras(tx.exec(std::string(kCameraColumns) + "ORDER BY c.provisioned_at, c.id"));
    });
  }

  std::vector<CameraRecord> camerasOwnedBy(UserId user) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return readCameras(tx.exec_params(
          std::string(kCameraColumns) + "WHERE c.owner_id = $1 ORDER BY c.claimed_at, c.id", user));
    });
  }

  ClaimOutcome claimCamera(const std::string& cameraId, UserId user,
                           const std::string& name) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto outcome = claim(tx, cameraId, user, name, std::nullopt);
      if (outcome == ClaimOutcome::claimed) tx.commit();
      return outcome;
    });
  }

  bool renameCamera(const std::string& cameraId, UserId user, const std::string& name) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec_params("UPDATE cameras SET name = $1 WHERE id = $2 AND owner_id = $3", name,
                            cameraId, user)
                 .affected_rows() == 1;
    });
  }

  bool unclaimCamera(const std::string& cameraId, UserId user) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      if (tx.exec_params(
                "UPDATE cameras SET owner_id = NULL, name = '', claimed_at = NULL "
                "WHERE id = $1 AND owner_id = $2",
                cameraId, user)
              .affected_rows() != 1)
        return false;
      // The events were this owner's: the camera's next owner starts with none. (An event
      // saved meanwhile on another node waited for the camera's row lock and found no owner.)
      tx.exec_params("DELETE FROM camera_events WHERE camera_id = $1", cameraId);
      tx.commit();
      return true;
    });
  }

  bool revokeCamera(const std::string& cameraId) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec_params("UPDATE cameras SET revoked = 1 WHERE id = $1", cameraId)
                 .affected_rows() == 1;
    });
  }

  void recordCameraSeen(const std::string& cameraId, UnixTime when) override {
    pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      tx.exec_params("UPDATE cameras SET last_seen = $1 WHERE id = $2", when, cameraId);
    });
  }

  // ---- Web Push ----
  std::int64_t savePushSubscription(UserId user, const PushSubscriptionRecord& subscription,
                                    std::size_t keepNewest) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      // The same browser again (or subscribed by another account now) replaces its row.
      tx.exec_params("DELETE FROM push_subscriptions WHERE endpoint = $1", subscription.endpoint);
      auto id = tx.exec_params(
                      "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, "
                      "all_cameras, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                      user, subscription.endpoint, subscription.p256dh, subscription.auth,
                      subscription.allCameras ? 1 : 0, subscription.createdAt)[0][0]
                    .as<std::int64_t>();
      if (!subscription.allCameras) {
        for (const auto& camera : subscription.cameras) {
          tx.exec_params(
              "INSERT INTO push_subscription_cameras (subscription_id, camera_id) "
              "VALUES ($1, $2) ON CONFLICT DO NOTHING",
              id, camera);
        }
      }
      if (keepNewest > 0) {
        tx.exec_params(
            "DELETE FROM push_subscriptions WHERE id IN (SELECT id FROM push_subscriptions "
            "WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2)",
            user, static_cast<std::int64_t>(keepNewest));
      }
      tx.commit();
      return id;
    });
  }

  std::vector<PushSubscriptionRecord> pushSubscriptionsOf(UserId user) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return readSubscriptions(
          tx, tx.exec_params(std::string(kSubscriptionColumns) +
                                 "WHERE s.user_id = $1 ORDER BY s.created_at, s.id",
                             user));
    });
  }

  bool deletePushSubscription(UserId user, const std::string& endpoint) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec_params("DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id = $2",
                            endpoint, user)
                 .affected_rows() == 1;
    });
  }

  bool deletePushSubscriptionByEndpoint(const std::string& endpoint) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      return tx.exec_params("DELETE FROM push_subscriptions WHERE endpoint = $1", endpoint)
                 .affected_rows() == 1;
    });
  }

  bool setCameraNotifications(const std::string& cameraId, UserId user, bool enabled) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      // Only the owner's switch: one statement, so an unclaim on another node cannot slip in
      // between the ownership check and the write.
      return tx.exec_params(
                   "INSERT INTO camera_notifications (camera_id, user_id, enabled) "
                   "SELECT id, owner_id, $3::INTEGER FROM cameras WHERE id = $1 AND owner_id = $2 "
                   "ON CONFLICT (camera_id, user_id) DO UPDATE SET enabled = excluded.enabled",
                   cameraId, user, enabled ? 1 : 0)
                 .affected_rows() == 1;
    });
  }

  std::optional<bool> cameraNotifications(const std::string& cameraId, UserId user) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<bool> {
      pqxx::nontransaction tx(c);
      auto rows = tx.exec_params(
          "SELECT n.enabled FROM cameras c LEFT JOIN camera_notifications n "
          "ON n.camera_id = c.id AND n.user_id = c.owner_id WHERE c.id = $1 AND c.owner_id = $2",
          cameraId, user);
      if (rows.empty()) return std::nullopt;
      return optionalField<int>(rows[0][0]).value_or(0) != 0;
    });
  }

  PushTargetsRecord pushTargetsFor(const std::string& cameraId) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      PushTargetsRecord targets;
      auto camera = tx.exec_params(
          "SELECT c.name FROM cameras c JOIN camera_notifications n "
          "ON n.camera_id = c.id AND n.user_id = c.owner_id "
          "WHERE c.id = $1 AND c.revoked = 0 AND n.enabled = 1",
          cameraId);
      if (camera.empty()) return targets;
      targets.cameraName = camera[0][0].as<std::string>();
      targets.subscriptions = readSubscriptions(
          tx, tx.exec_params(std::string(kSubscriptionColumns) +
                                 "JOIN cameras c ON c.owner_id = s.user_id WHERE c.id = $1 AND "
                                 "(s.all_cameras = 1 OR EXISTS (SELECT 1 FROM "
                                 "push_subscription_cameras p WHERE p.subscription_id = s.id "
                                 "AND p.camera_id = c.id)) ORDER BY s.created_at, s.id",
                             cameraId));
      return targets;
    });
  }

  // ---- Motion events ----
  EventSaveOutcome saveEvent(const EventRecord& e) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      // One statement: the camera's owner is read under its row lock (FOR SHARE), so an
      // unclaim on another node either comes before (nothing stored) or after (deleted with
      // the others). xmax = 0 tells a fresh row from an updated one.
      std::string endText = e.endMs ? std::to_string(*e.endMs) : std::string();
      std::string durationText = e.durationMs ? std::to_string(*e.durationMs) : std::string();
      auto rows = tx.exec_params(
          "INSERT INTO camera_events (camera_id, event_id, owner_id, kind, start_ms, end_ms, "
          "duration_ms, score, received_ms) SELECT id, $2, owner_id, $3, $4, $5::BIGINT, "
          "$6::BIGINT, $7::DOUBLE PRECISION, $8 FROM (SELECT id, owner_id FROM cameras "
          "WHERE id = $1 AND owner_id IS NOT NULL AND revoked = 0 FOR SHARE) owned "
          "ON CONFLICT (camera_id, event_id) DO UPDATE SET "
          "end_ms = COALESCE(excluded.end_ms, camera_events.end_ms), "
          "duration_ms = COALESCE(excluded.duration_ms, camera_events.duration_ms), "
          "score = GREATEST(camera_events.score, excluded.score) "
          "RETURNING (xmax = 0)",
          e.cameraId, e.eventId, e.kind, e.startMs, e.endMs ? endText.c_str() : nullptr,
          e.durationMs ? durationText.c_str() : nullptr, e.score, e.receivedAtMs);
      if (rows.empty()) return EventSaveOutcome::noOwner;
      return rows[0][0].as<bool>() ? EventSaveOutcome::added : EventSaveOutcome::updated;
    });
  }

  std::optional<std::vector<EventRecord>> eventsOf(const std::string& cameraId, UserId user,
                                                   const EventQuery& query) override {
    return pool_.run([&](pqxx::connection& c) -> std::optional<std::vector<EventRecord>> {
      pqxx::nontransaction tx(c);
      if (tx.exec_params("SELECT 1 FROM cameras WHERE id = $1 AND owner_id = $2", cameraId, user)
              .empty())
        return std::nullopt;
      auto text = [](const std::optional<std::int64_t>& v) {
        return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
      };
      auto from = text(query.fromMs), to = text(query.toMs), before = text(query.beforeStartMs);
      auto rows = tx.exec_params(
          "SELECT camera_id, event_id, kind, start_ms, end_ms, duration_ms, score, received_ms "
          "FROM camera_events WHERE camera_id = $1 AND owner_id = $2 "
          "AND ($3::BIGINT IS NULL OR start_ms >= $3::BIGINT) "
          "AND ($4::BIGINT IS NULL OR start_ms < $4::BIGINT) "
          "AND ($5::BIGINT IS NULL OR start_ms < $5::BIGINT OR "
          "(start_ms = $5::BIGINT AND event_id < $6)) "
          "ORDER BY start_ms DESC, event_id DESC LIMIT $7",
          cameraId, user, from ? from->c_str() : nullptr, to ? to->c_str() : nullptr,
          before ? before->c_str() : nullptr, query.beforeEventId,
          static_cast<std::int64_t>(query.limit));
      std::vector<EventRecord> out;
      out.reserve(rows.size());
      for (const auto& row : rows) {
        EventRecord e;
        e.cameraId = row[0].as<std::string>();
        e.eventId = row[1].as<std::string>();
        e.kind = row[2].as<std::string>();
        e.startMs = row[3].as<std::int64_t>();
        e.endMs = optionalField<std::int64_t>(row[4]);
        e.durationMs = optionalField<std::int64_t>(row[5]);
        e.score = row[6].as<double>();
        e.receivedAtMs = row[7].as<std::int64_t>();
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  int sweepEvents(std::int64_t olderThanMs, std::size_t keepPerCamera) override {
    return pool_.run([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      auto removed = static_cast<int>(
          tx.exec_params("DELETE FROM camera_events WHERE start_ms < $1", olderThanMs)
              .affected_rows());
      auto keep = static_cast<std::int64_t>(keepPerCamera);
      for (const auto& row : tx.exec_params("SELECT camera_id FROM camera_events "
                                            "GROUP BY camera_id HAVING COUNT(*) > $1",
                                            keep)) {
        removed += static_cast<int>(
            tx.exec_params("DELETE FROM camera_events WHERE camera_id = $1 AND event_id IN "
                           "(SELECT event_id FROM camera_events WHERE camera_id = $1 "
                           "ORDER BY start_ms DESC, event_id DESC OFFSET $2)",
                           row[0].as<std::string>(), keep)
                .affected_rows());
      }
      return removed;
    });
  }

 private:
  static constexpr const char* kSubscriptionColumns =
      "SELECT s.id, s.user_id, s.endpoint, s.p256dh, s.auth, s.all_cameras, s.created_at "
      "FROM push_subscriptions s ";

  // Rows of kSubscriptionColumns, with each subscription's camera list.
  static std::vector<PushSubscriptionRecord> readSubscriptions(pqxx::transaction_base& tx,
                                                               const pqxx::result& rows) {
    std::vector<PushSubscriptionRecord> out;
    for (const auto& row : rows) {
      PushSubscriptionRecord r;
      r.id = row[0].as<std::int64_t>();
      r.userId = row[1].as<std::int64_t>();
      r.endpoint = row[2].as<std::string>();
      r.p256dh = row[3].as<std::string>();
      r.auth = row[4].as<std::string>();
      r.allCameras = row[5].as<int>() != 0;
      r.createdAt = row[6].as<std::int64_t>();
      if (!r.allCameras) {
        r.cameras = firstColumn(tx.exec_params(
            "SELECT camera_id FROM push_subscription_cameras WHERE subscription_id = $1 "
            "ORDER BY camera_id",
            r.id));
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  // One UPDATE that only an unclaimed, unrevoked camera passes: of two nodes claiming one
  // camera at once, the second waits for the first's row lock, then re-checks the row and
  // finds it owned. Only when nothing was updated is the camera looked at for the reason.
  // claimed_at only orders a user's cameras; without `when` the SQL clock sets it.
  static ClaimOutcome claim(pqxx::transaction_base& tx, const std::string& cameraId, UserId user,
                            const std::string& name, std::optional<UnixTime> when) {
    std::string whenText = when ? std::to_string(*when) : std::string();
    const char* whenParam = when ? whenText.c_str() : nullptr;  // NULL: the SQL clock
    auto updated = tx.exec_params(
        "UPDATE cameras SET owner_id = $1, name = $2, "
        "claimed_at = COALESCE($3::BIGINT, EXTRACT(EPOCH FROM now())::BIGINT) "
        "WHERE id = $4 AND owner_id IS NULL AND revoked = 0",
        user, name, whenParam, cameraId);
    if (updated.affected_rows() == 1) return ClaimOutcome::claimed;
    auto rows = tx.exec_params("SELECT revoked FROM cameras WHERE id = $1", cameraId);
    if (rows.empty()) return ClaimOutcome::unknownCamera;
    if (rows[0][0].as<int>() != 0) return ClaimOutcome::revoked;
    return ClaimOutcome::alreadyClaimed;
  }

  static void insertSession(pqxx::transaction_base& tx, UserId user, const NewSession& session) {
    tx.exec_params(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen, "
        "user_agent) VALUES ($1, $2, $3, $4, $5, $6)",
        session.tokenHash, user, session.createdAt, session.expiresAt, session.createdAt,
        session.userAgent);
  }

  PostgresPool pool_;
};

}  // namespace

bool isPostgresUrl(const std::string& url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::unique_ptr<Store> openPostgresStore(const std::string& url, std::size_t poolSize) {
  return std::make_unique<PostgresStore>(url, poolSize);
}

}  // namespace seccam::server::store
