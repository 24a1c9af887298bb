// TokenStore on the service's SQLite file (table api_tokens, created by the
// shared migrations in schema.cc).
#ifndef STORAGE_SQLITE_SQLITE_TOKEN_STORE_H_
#define STORAGE_SQLITE_SQLITE_TOKEN_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/sqlite/connection_pool.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/token_store.h"

namespace sessions {

// Tuning of SqliteTokenStore.
struct SqliteTokenStoreOptions {
  // How long to wait for the write lock held by another connection/process.
  int busy_timeout_ms = 5000;
  // Read-only connections for lookups (concurrent authentications).
  int read_connections = 4;
  // RecordTokenUse() writes only when the stored last_used_at is at least
  // this much older than the new one, so authentication does not cost an
  // fsync per request.
  absl::Duration last_used_granularity = absl::Minutes(1);
};

// The SQLite TokenStore. Safe to use from the server and from `sessionsctl`
// at the same time on the same file (WAL + busy_timeout; every write is a
// single-statement transaction).
//
//   ASSIGN_OR_RETURN(auto tokens, SqliteTokenStore::Open(path, {}));
//   ASSIGN_OR_RETURN(TokenRecord token, tokens->FindTokenByHash(sha256));
//
// Thread-safe. Lookups (every authenticated call makes one) run on a pool
// of read-only connections: in WAL mode they never wait for a writer, in
// this process or another, nor for each other. Writes (create, revoke, last
// use) share one read-write connection behind a mutex, so a write waiting
// for SQLite's write lock (up to busy_timeout) delays only other token
// writes.
class SqliteTokenStore final : public TokenStore {
 public:
  using Options = SqliteTokenStoreOptions;

  // Opens or creates the database at `path` and migrates it (same schema as
  // SqliteSessionStore). FAILED_PRECONDITION "cannot open database <path>".
  static absl::StatusOr<std::unique_ptr<SqliteTokenStore>> Open(const std::string& path,
                                                                const Options& options);

  absl::Status CreateToken(const TokenRecord& token) override;
  absl::StatusOr<TokenRecord> FindTokenByHash(std::string_view secret_sha256) override;
  absl::StatusOr<std::vector<TokenRecord>> ListTokens() override;
  absl::Status RevokeToken(std::string_view id) override;
  absl::Status RecordTokenUse(std::string_view id, absl::Time when) override;

 private:
  SqliteTokenStore(std::unique_ptr<SqliteConnection> conn, std::unique_ptr<ConnectionPool> readers,
                   const Options& options);

  const Options options_;
  std::unique_ptr<ConnectionPool> readers_;
  absl::Mutex mu_;  // serializes the writes
  std::unique_ptr<SqliteConnection> conn_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_SQLITE_TOKEN_STORE_H_
