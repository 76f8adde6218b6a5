// The PostgreSQL implementation of Store, for several seccam-server nodes sharing one
// database. No libpqxx type appears here: it stays inside the store's own .cpp files.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "server/store/store.hpp"

namespace seccam::server::store {

// "postgresql://…" or "postgres://…" (libpq's connection URIs).
bool isPostgresUrl(const std::string& url);

// Connects to `url` (a libpq URI), applies every pending migration under an advisory lock
// (two nodes starting at once migrate once), and returns a store that keeps up to
// `poolSize` connections. Throws StoreUnavailable when the database cannot be reached and
// StoreError when its schema is newer than this build.
std::unique_ptr<Store> openPostgresStore(const std::string& url, std::size_t poolSize);

}  // namespace seccam::server::store
