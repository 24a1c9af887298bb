// TokenStore on PostgreSQL (table api_tokens of pg_schema.cc), for
// replicas sharing one database; same contract as SqliteTokenStore.
#ifndef STORAGE_POSTGRES_PG_TOKEN_STORE_H_
#define STORAGE_POSTGRES_PG_TOKEN_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storage/postgres/pg_change_listener.h"
#include "storage/postgres/pg_connection_pool.h"
#include "storage/postgres/token_cache.h"
#include "storage/token_store.h"

namespace sessions {

// Tuning of PgTokenStore.
struct PgTokenStoreOptions {
  // Connections of the store's own pool.
  int connections = 4;
  // How long a call waits for a free connection before UNAVAILABLE.
  absl::Duration max_wait = absl::Seconds(5);
  // As SqliteTokenStoreOptions: RecordTokenUse() writes only when the
  // stored last use is at least this much older.
  absl::Duration last_used_granularity = absl::Minutes(1);
  // Zero: every lookup reads the database. Positive: found tokens are
  // served from memory (TokenCache) for up to this long, while a LISTEN
  // connection of the store's own is up; every change to a token's row
  // (by any process or replica, or an operator's SQL: a trigger NOTIFYs)
  // empties the cache within milliseconds, and this bounds how long a
  // change may go unseen if notifications are lost unnoticed.
  absl::Duration cache_ttl = absl::ZeroDuration();
};

// Thread-safe: every call borrows a pooled connection and runs single
// statements (each its own transaction), so any number of processes (every
// replica, `sessionsctl`) may use the database at once. With a cache_ttl, a
// revocation through this store is seen by its next lookup, one through
// another process once its notification arrives (milliseconds).
//
//   ASSIGN_OR_RETURN(auto tokens, PgTokenStore::Open(dsn, {}));
class PgTokenStore final : public TokenStore {
 public:
  using Options = PgTokenStoreOptions;

  // Connects and migrates the schema (PgSchema). UNAVAILABLE when the
  // database cannot be reached, FAILED_PRECONDITION for a newer schema.
  static absl::StatusOr<std::unique_ptr<PgTokenStore>> Open(const std::string& dsn,
                                                            const Options& options);

  absl::Status CreateToken(const TokenRecord& token) override;
  absl::StatusOr<TokenRecord> FindTokenByHash(std::string_view secret_sha256) override;
  absl::StatusOr<std::vector<TokenRecord>> ListTokens() override;
  absl::Status RevokeToken(std::string_view id) override;
  absl::Status RecordTokenUse(std::string_view id, absl::Time when) override;

  // Lookups answered from the cache (0 without a cache_ttl).
  int64_t cache_hits() const;

 private:
  PgTokenStore(const std::string& dsn, const Options& options);

  // Reads the token from the database; NOT_FOUND if there is none.
  absl::StatusOr<TokenRecord> ReadToken(std::string_view secret_sha256);

  const Options options_;
  PgConnectionPool pool_;
  // Both set with a cache_ttl; the listener (declared last, so stopped
  // first) empties the cache on every notification.
  std::unique_ptr<TokenCache> cache_;
  std::unique_ptr<PgChangeListener> listener_;
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_TOKEN_STORE_H_
