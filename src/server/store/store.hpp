// The storage seam of seccam-server: users, sessions and cameras behind one interface, so
// that SQLite (the default) and PostgreSQL (postgres_store.hpp) are interchangeable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace seccam::server::store {

using UnixTime = std::int64_t;  // seconds since the epoch, UTC
using UserId = std::int64_t;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The disk (or quota) under the store is full: the change was not made, and what is stored is
// unharmed. Writes work again once space is freed; reads go on meanwhile.
class StorageFull : public StoreError {
 public:
  using StoreError::StoreError;
};

// The database cannot be reached right now (PostgreSQL stopped, restarting or unreachable):
// the request is answered 503 and may be retried; the store reconnects by itself on a later
// call. A change cut off at its commit may or may not have been made.
class StoreUnavailable : public StoreError {
 public:
  using StoreError::StoreError;
};

struct UserRecord {
  UserId id = 0;
  std::string username;      // as registered (comparisons ignore case)
  std::string passwordHash;  // libsodium crypto_pwhash_str text
};

struct CameraRecord {
  std::string id;
  UnixTime provisionedAt = 0;
  bool revoked = false;
  std::optional<UserId> ownerId;
  std::optional<std::string> ownerUsername;
  std::string name;  // empty while unclaimed
  std::optional<UnixTime> lastSeen;
};

// Only the SHA-256 of a session token is ever stored.
struct NewSession {
  std::string tokenHash;
  UnixTime createdAt = 0;
  UnixTime expiresAt = 0;
  std::string userAgent;  // as the browser sent it at sign-in (shortened), for the list
};

// A session as its account's list shows it ("signed in on ...").
struct SessionRecord {
  std::int64_t id = 0;     // stable, for ending this one session; not a credential
  std::string tokenHash;   // to close the WebSockets opened with it, and to mark "this one"
  UnixTime createdAt = 0;
  std::optional<UnixTime> lastSeen;  // the last request it made (to the minute)
  UnixTime expiresAt = 0;
  std::string userAgent;
};

enum class ClaimOutcome { claimed, unknownCamera, revoked, alreadyClaimed };
enum class RegisterOutcome { registered, usernameTaken, cameraUnavailable };

struct RegisterResult {
  RegisterOutcome outcome = RegisterOutcome::registered;
  std::optional<UserRecord> user;
};

// ---- Web Push (issue 13): types of the block at the end of Store ----

// A browser that asked to be notified (its PushSubscription), of one account.
struct PushSubscriptionRecord {
  std::int64_t id = 0;
  UserId userId = 0;
  std::string endpoint;  // the push service URL; unique across accounts
  std::string p256dh;    // base64url, as the browser gave them
  std::string auth;
  bool allCameras = true;            // every camera of the account...
  std::vector<std::string> cameras;  // ...or only these (when !allCameras)
  UnixTime createdAt = 0;
};

// Whom to notify about one camera: its name and the subscriptions of its owner that cover it,
// when the owner has switched notifications on for it.
struct PushTargetsRecord {
  std::string cameraName;
  std::vector<PushSubscriptionRecord> subscriptions;
};

// ---- Motion events (issue 13): types of the events block at the end of Store ----

// One event a camera reported (PROTOCOL.md `event`): metadata only, no picture, no video.
// Times in milliseconds since the epoch, as the camera sent them.
struct EventRecord {
  std::string cameraId;
  std::string eventId;  // the camera's own (names its clip on the camera): kept as sent
  std::string kind;
  std::int64_t startMs = 0;
  std::optional<std::int64_t> endMs;  // set once the camera reported the end
  std::optional<std::int64_t> durationMs;
  double score = 0;
  std::int64_t receivedAtMs = 0;  // when the server first heard of it
};

enum class EventSaveOutcome {
  added,    // the first report of this event
  updated,  // a later report of a known event (its end): end, duration, score updated
  noOwner,  // the camera is unclaimed (or unknown, or revoked): nothing stored
};

// Which of a camera's events to list, newest first (by start, then ID).
struct EventQuery {
  std::optional<std::int64_t> fromMs;  // start >= from
  std::optional<std::int64_t> toMs;    // start < to
  // Keyset cursor: only events that come after (start, eventId) in newest-first order.
  std::optional<std::int64_t> beforeStartMs;
  std::string beforeEventId;
  std::size_t limit = 50;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<UserRecord> findUserByUsername(const std::string& username) = 0;
  // Creates the user, claims its first camera and opens its first session: all or nothing.
  virtual RegisterResult registerUser(const std::string& username, const std::string& passwordHash,
                                      const std::string& cameraId, const std::string& cameraName,
                                      const NewSession& session) = 0;

  // Opens a session; with `keepNewest` > 0, the user's oldest sessions beyond that many are
  // deleted in the same transaction, and their token hashes returned (to close their sockets).
  virtual std::vector<std::string> createSession(UserId user, const NewSession& session,
                                                 std::size_t keepNewest = 0) = 0;
  // The user of an unexpired session, or nullopt.
  virtual std::optional<UserRecord> userForSession(const std::string& tokenHash, UnixTime now) = 0;
  // Records that the session was used at `now`, at most once a minute (a write per request
  // would cost every API call a database write).
  virtual void touchSession(const std::string& tokenHash, UnixTime now) = 0;
  // The user's unexpired sessions, newest first.
  virtual std::vector<SessionRecord> sessionsOf(UserId user, UnixTime now) = 0;
  // Ends the user's session `id` (another user's is left alone): its token hash, or nullopt.
  virtual std::optional<std::string> deleteSessionOf(UserId user, std::int64_t id) = 0;
  // Ends every session of the user: their token hashes.
  virtual std::vector<std::string> deleteSessionsOf(UserId user) = 0;
  virtual void deleteSession(const std::string& tokenHash) = 0;
  virtual int deleteExpiredSessions(UnixTime now) = 0;

  // Provisioning: records a new camera (unclaimed). Throws StoreError if the ID exists.
  virtual void addCamera(const std::string& cameraId, UnixTime provisionedAt) = 0;
  virtual std::optional<CameraRecord> findCamera(const std::string& cameraId) = 0;
  virtual std::vector<CameraRecord> listCameras() = 0;
  virtual std::vector<CameraRecord> camerasOwnedBy(UserId user) = 0;
  // Claims an unclaimed, unrevoked camera for `user`.
  virtual ClaimOutcome claimCamera(const std::string& cameraId, UserId user,
                                   const std::string& name) = 0;
  // These three change only a camera that `user` owns; false when there is none.
  virtual bool renameCamera(const std::string& cameraId, UserId user, const std::string& name) = 0;
  virtual bool unclaimCamera(const std::string& cameraId, UserId user) = 0;
  virtual bool revokeCamera(const std::string& cameraId) = 0;  // false: unknown camera
  virtual void recordCameraSeen(const std::string& cameraId, UnixTime when) = 0;

  // ---- Web Push (issue 13; schema migration 3) ----
  // Stores `subscription` for `user`, replacing any stored one with the same endpoint (of any
  // account: a browser belongs to whoever subscribed it last) and its camera list. With
  // `keepNewest` > 0, the user's oldest subscriptions beyond that many are deleted in the
  // same transaction. Returns the stored row's id.
  virtual std::int64_t savePushSubscription(UserId user,
                                            const PushSubscriptionRecord& subscription,
                                            std::size_t keepNewest) = 0;
  // The user's subscriptions, oldest first.
  virtual std::vector<PushSubscriptionRecord> pushSubscriptionsOf(UserId user) = 0;
  // Deletes the user's subscription with this endpoint; false when it has none.
  virtual bool deletePushSubscription(UserId user, const std::string& endpoint) = 0;
  // Deletes the subscription with this endpoint, whoever's (the push service said it is gone).
  virtual bool deletePushSubscriptionByEndpoint(const std::string& endpoint) = 0;
  // The per-camera switch of the camera's owner; false when `user` does not own the camera.
  // A camera's switch is off until its owner turns it on; it is kept per owner, so a camera
  // claimed by someone else starts with it off for them.
  virtual bool setCameraNotifications(const std::string& cameraId, UserId user, bool enabled) = 0;
  // nullopt when `user` does not own the camera.
  virtual std::optional<bool> cameraNotifications(const std::string& cameraId, UserId user) = 0;
  // The owner's subscriptions that want news of this camera (empty when it has no owner or
  // the switch is off).
  virtual PushTargetsRecord pushTargetsFor(const std::string& cameraId) = 0;

  // ---- Motion events (issue 13; schema migration 4) ----
  // Stores a camera's event under its current owner, or updates the one with the same ID
  // (end, duration, and the larger score; kind and start stay as first reported): a report
  // repeated is harmless. An unclaimed camera's events are not stored. Unclaiming a camera
  // deletes its events, so a new owner never sees the previous owner's.
  virtual EventSaveOutcome saveEvent(const EventRecord& event) = 0;
  // The camera's events for `user`; nullopt when `user` does not own the camera.
  virtual std::optional<std::vector<EventRecord>> eventsOf(const std::string& cameraId, UserId user,
                                                           const EventQuery& query) = 0;
  // Retention: deletes events that started before `olderThanMs`, and each camera's oldest
  // beyond its newest `keepPerCamera`. Returns how many went.
  virtual int sweepEvents(std::int64_t olderThanMs, std::size_t keepPerCamera) = 0;
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies every
// pending migration. Throws StoreError.
std::unique_ptr<Store> openSqliteStore(const std::string& path);

}  // namespace seccam::server::store
