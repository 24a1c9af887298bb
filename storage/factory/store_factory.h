// Opens the service's stores on the engine the deployment chose: one SQLite
// file (single node) or PostgreSQL (stateless replicas sharing a database).
// The one place outside storage/ engines that knows both; the server and
// sessionsctl select an engine with the same flags through it.
#ifndef STORAGE_FACTORY_STORE_FACTORY_H_
#define STORAGE_FACTORY_STORE_FACTORY_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/retention_purger.h"
#include "storage/session_store.h"
#include "storage/token_store.h"

namespace sessions {

enum class StoreEngine { kSqlite, kPostgres };

// "sqlite" or "postgres"; INVALID_ARGUMENT naming `flag` otherwise.
absl::StatusOr<StoreEngine> ParseStoreEngine(absl::string_view name, absl::string_view flag);

// Where the data is.
struct StoreConfig {
  StoreEngine engine = StoreEngine::kSqlite;
  // SQLite: the database file.
  std::string sqlite_path = "sessions.db";
  // PostgreSQL: a libpq connection string. A secret (it may hold a
  // password): never logged; DescribeStore() says what may be.
  std::string postgres_dsn;
  RetentionOptions retention;
  // PostgreSQL: how long a replica may serve a token from memory
  // (PgTokenStoreOptions::cache_ttl; changes reach it by NOTIFY in
  // milliseconds). Zero: every authentication reads the database. SQLite
  // reads its local file on every authentication and ignores this.
  absl::Duration token_cache_ttl = absl::ZeroDuration();
};

// Reads a libpq connection string from `path` (a mounted Kubernetes
// Secret), trailing whitespace removed. Errors name the file, never what it
// holds: NOT_FOUND / PERMISSION_DENIED as the file system says,
// INVALID_ARGUMENT when it is empty.
absl::StatusOr<std::string> ReadDsnFile(const std::string& path);

// What logs may say about the store: the SQLite path, or PostgreSQL's host,
// port and database (no user, no password).
std::string DescribeStore(const StoreConfig& config);

// Opens (creating and migrating as needed) the engine's session store.
// FAILED_PRECONDITION / UNAVAILABLE as the engine's Open says.
absl::StatusOr<std::unique_ptr<SessionStore>> OpenSessionStore(const StoreConfig& config);
absl::StatusOr<std::unique_ptr<TokenStore>> OpenTokenStore(const StoreConfig& config);

}  // namespace sessions

#endif  // STORAGE_FACTORY_STORE_FACTORY_H_
