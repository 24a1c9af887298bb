// A bounded pool of PostgreSQL connections to one database. Connections are
// opened on demand up to the pool's size and kept; one found broken (the
// server restarted, the network dropped it) is discarded on return, and a
// later Acquire() opens a fresh one, so the pool heals after a database
// failover without a restart of the process.
#ifndef STORAGE_POSTGRES_PG_CONNECTION_POOL_H_
#define STORAGE_POSTGRES_PG_CONNECTION_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/postgres/pg_connection.h"

namespace sessions {

// Lends connections to one thread at a time; Acquire() waits, for a bounded
// time, while all are lent out.
//
//   PgConnectionPool pool(dsn, 8, absl::Seconds(5));
//   ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool.Acquire());
//   ASSIGN_OR_RETURN(PgResult r, conn->Exec("find token", kSql, {...}));
//
// Thread-safe. Every Lease must be returned (destroyed) before the pool.
class PgConnectionPool {
 public:
  class Lease {
   public:
    Lease(PgConnectionPool* pool, std::unique_ptr<PgConnection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    PgConnection* operator->() { return conn_.get(); }
    PgConnection& operator*() { return *conn_; }

   private:
    PgConnectionPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // At most `size` (at least 1) connections; Acquire() waits at most
  // `max_wait` for one. Connects nothing yet.
  PgConnectionPool(std::string dsn, int size, absl::Duration max_wait = absl::Seconds(5));

  // Lends a free connection (one the server has not closed meanwhile:
  // PgConnection::StillConnected), else opens one while below the size, else
  // waits. UNAVAILABLE when none came free within max_wait (the database is
  // slow or stuck: fail rather than queue without bound), when connecting
  // failed, or after Close().
  absl::StatusOr<Lease> Acquire();

  // Refuses new leases, waits for the lent ones to come back and closes
  // every connection. Idempotent.
  void Close();

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const std::string dsn_;
  const int size_;
  const absl::Duration max_wait_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> free_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // connections lent, free or being opened
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_CONNECTION_POOL_H_
