// The storage seam of seccam-server: users, sessions and cameras behind one interface, so
// that SQLite (the default) and a later PostgreSQL implementation are interchangeable.
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
};

enum class ClaimOutcome { claimed, unknownCamera, revoked, alreadyClaimed };
enum class RegisterOutcome { registered, usernameTaken, cameraUnavailable };

struct RegisterResult {
  RegisterOutcome outcome = RegisterOutcome::registered;
  std::optional<UserRecord> user;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<UserRecord> findUserByUsername(const std::string& username) = 0;
  // Creates the user, claims its first camera and opens its first session: all or nothing.
  virtual RegisterResult registerUser(const std::string& username, const std::string& passwordHash,
                                      const std::string& cameraId, const std::string& cameraName,
                                      const NewSession& session) = 0;

  virtual void createSession(UserId user, const NewSession& session) = 0;
  // The user of an unexpired session, or nullopt.
  virtual std::optional<UserRecord> userForSession(const std::string& tokenHash, UnixTime now) = 0;
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
};

// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies every
// pending migration. Throws StoreError.
std::unique_ptr<Store> openSqliteStore(const std::string& path);

}  // namespace seccam::server::store
