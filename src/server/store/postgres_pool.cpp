#include "server/store/postgres_pool.hpp"

#include <poll.h>

namespace seccam::server::store {
namespace {

// libpq waits this long for a server that does not answer (a host that is down) rather
// than for the operating system's TCP timeout, unless the URL says otherwise.
constexpr const char* kConnectTimeoutSeconds = "5";

std::string withConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "connect_timeout=" + kConnectTimeoutSeconds;
}

// An idle connection has nothing to read unless the server has spoken first, and the only
// thing it says unasked is that it is closing the connection (a restart, an administrator's
// pg_terminate_backend). Such a connection is replaced before use, so that a restarted
// database costs no failed request.
bool closedWhileIdle(pqxx::connection& connection) {
  pollfd fd{connection.sock(), POLLIN, 0};
  if (fd.fd < 0) return true;
  return ::poll(&fd, 1, 0) != 0;
}

}  // namespace

PostgresPool::PostgresPool(std::string url, std::size_t size)
    : url_(withConnectTimeout(url)), slots_(size == 0 ? 1 : size) {
  for (std::size_t i = slots_.size(); i > 0; --i) free_.push_back(i - 1);
}

std::string PostgresPool::oneLine(const char* message) {
  std::string out;
  bool space = false;
  for (const char* c = message; *c; ++c) {
    if (*c == '\n' || *c == '\t' || *c == ' ') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += *c;
    }
  }
  return out;
}

bool PostgresPool::unavailableState(const std::string& state) {
  return state.starts_with("08") || state.starts_with("57P");
}

std::size_t PostgresPool::take() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !free_.empty(); });
  auto slot = free_.back();
  free_.pop_back();
  return slot;
}

void PostgresPool::giveBack(std::size_t slot, bool discard) {
  std::lock_guard lock(mutex_);
  if (discard) slots_[slot].reset();
  free_.push_back(slot);
  available_.notify_one();
}

PostgresPool::Lease::Lease(PostgresPool& pool) : pool_(pool), slot_(pool.take()) {
  // The slot is this lease's alone until it is given back: no lock needed to (re)open it.
  auto& connection = pool_.slots_[slot_];
  if (connection && (!connection->is_open() || closedWhileIdle(*connection))) connection.reset();
  if (!connection) {
    try {
      connection = std::make_unique<pqxx::connection>(pool_.url_);
    } catch (const std::exception& e) {
      pool_.giveBack(slot_, true);
      throw StoreUnavailable("cannot connect to PostgreSQL: " + oneLine(e.what()));
    }
  }
}

PostgresPool::Lease::~Lease() { pool_.giveBack(slot_, discard_); }

}  // namespace seccam::server::store
