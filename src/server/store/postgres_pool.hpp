// A small pool of libpqxx connections for the PostgreSQL store. Internal to the store: only
// its .cpp files include this header (it brings in libpqxx).
//
// Connections are opened on first use, handed out under a mutex (a caller waits while all
// are busy), and one that broke (the server restarted, the network dropped it) is dropped
// and opened afresh on its next use, so the store recovers by itself once the database is
// back. libpqxx and PostgreSQL errors leave as StoreError: StoreUnavailable when the
// database cannot be reached, StorageFull when its disk is full.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/except>
#include <string>
#include <vector>

#include "server/store/store.hpp"

namespace seccam::server::store {

class PostgresPool {
 public:
  PostgresPool(std::string url, std::size_t size);
  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  // Runs `work(pqxx::connection&)` on a pooled connection and returns its result,
  // translating errors as the header comment says.
  template <typename Work>
  auto run(Work&& work) -> decltype(work(std::declval<pqxx::connection&>())) {
    Lease lease(*this);
    try {
      return work(lease.connection());
    } catch (const pqxx::broken_connection& e) {
      lease.discard();
      throw StoreUnavailable("lost the connection to PostgreSQL: " + oneLine(e.what()));
    } catch (const pqxx::in_doubt_error& e) {
      lease.discard();
      throw StoreUnavailable("lost PostgreSQL during a commit: " + oneLine(e.what()));
    } catch (const pqxx::disk_full& e) {
      throw StorageFull("PostgreSQL's disk is full: " + oneLine(e.what()));
    } catch (const pqxx::sql_error& e) {
      if (unavailableState(e.sqlstate()) || !lease.connection().is_open()) {
        lease.discard();
        throw StoreUnavailable("PostgreSQL is unavailable: " + oneLine(e.what()));
      }
      throw StoreError("SQL failed: " + oneLine(e.what()));
    } catch (const pqxx::failure& e) {
      lease.discard();
      throw StoreError("PostgreSQL: " + oneLine(e.what()));
    }
  }

  std::size_t size() const { return slots_.size(); }

  // libpq's messages span lines ("...failed: ...\n\tIs the server running...?\n"): one line
  // for the log.
  static std::string oneLine(const char* message);

 private:
  // One connection taken from the pool; given back (or dropped) at destruction.
  class Lease {
   public:
    explicit Lease(PostgresPool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    pqxx::connection& connection() { return *pool_.slots_[slot_]; }
    void discard() { discard_ = true; }

   private:
    PostgresPool& pool_;
    std::size_t slot_;
    bool discard_ = false;
  };

  // SQLSTATE classes of a server going away: 08 connection exception, 57P admin shutdown,
  // crash shutdown, cannot connect now (starting up or shutting down).
  static bool unavailableState(const std::string& state);

  std::size_t take();
  void giveBack(std::size_t slot, bool discard);

  std::string url_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> slots_;  // null: not open (yet, or again)
  std::vector<std::size_t> free_;
};

}  // namespace seccam::server::store
