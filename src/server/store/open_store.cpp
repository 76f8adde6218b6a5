#include "server/store/open_store.hpp"

#include "server/store/postgres_store.hpp"

namespace seccam::server::store {

std::unique_ptr<Store> openStore(const std::string& url, std::size_t poolSize,
                                 const std::string& sqlitePath) {
  if (url.empty()) return openSqliteStore(sqlitePath);
  if (isPostgresUrl(url)) return openPostgresStore(url, poolSize);
  throw StoreError("store url must start with postgresql:// or postgres://");
}

}  // namespace seccam::server::store
