// The store the configuration asks for: PostgreSQL when a URL is given, else the SQLite file.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "server/store/store.hpp"

namespace seccam::server::store {

// `url` empty: SQLite at `sqlitePath`; "postgresql://…": PostgreSQL with `poolSize`
// connections. Throws StoreError (StoreUnavailable: PostgreSQL cannot be reached).
std::unique_ptr<Store> openStore(const std::string& url, std::size_t poolSize,
                                 const std::string& sqlitePath);

}  // namespace seccam::server::store
