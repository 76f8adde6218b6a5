#include "server/store/open_store.hpp"

#include <spdlog/spdlog.h>

#include "server/store/postgres_store.hpp"

namespace seccam::server::store {

std::unique_ptr<Store> openStore(const std::string& url, std::size_t poolSize,
                                 const std::string& sqlitePath) {
  if (url.empty()) return openSqliteStore(sqlitePath);
  if (isPostgresUrl(url)) {
    auto store = openPostgresStore(url, poolSize);
    spdlog::info("store: PostgreSQL, up to {} connections",
                 poolSize);  // the URL may hold a password
    return store;
  }
  throw StoreError("store url must start with postgresql:// or postgres://");
}

}  // namespace seccam::server::store
