// A fixed pool of read-only SQLite connections. In WAL mode readers run
// concurrently with each other and with the one writer, each on its own
// connection with its own cached prepared statements.
#ifndef STORAGE_SQLITE_CONNECTION_POOL_H_
#define STORAGE_SQLITE_CONNECTION_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// Lends connections to one thread at a time; Acquire() waits, for a bounded
// time, while all are lent out.
//
//   ASSIGN_OR_RETURN(auto pool, ConnectionPool::Open(path, 4, read_only_options));
//   ASSIGN_OR_RETURN(ConnectionPool::Lease conn, pool->Acquire());
//   conn->Prepare("SELECT ...");
//
// Thread-safe. Every Lease must be returned (destroyed) before the pool.
class ConnectionPool {
 public:
  // Returns a connection to the pool when destroyed, after resetting its
  // statements (so no read transaction stays open between uses).
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<SqliteConnection> conn);
    Lease(Lease&&) = default;
    ~Lease();
    SqliteConnection* operator->() { return conn_.get(); }
    SqliteConnection& operator*() { return *conn_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<SqliteConnection> conn_;
  };

  // Opens `size` (at least 1) connections to `path`; Acquire() waits at
  // most `max_wait` for one. Errors as SqliteConnection::Open.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Open(
      const std::string& path, int size, const ConnectionOptions& options,
      absl::Duration max_wait = absl::Seconds(5));

  // Waits for a free connection and lends it. UNAVAILABLE after Close(), or
  // when none came free within the pool's max_wait (readers are stuck: a
  // caller should fail rather than queue behind them).
  absl::StatusOr<Lease> Acquire();

  // Refuses new leases, waits for the lent ones to come back and closes
  // every connection. Idempotent.
  void Close();

 private:
  ConnectionPool() = default;
  void Release(std::unique_ptr<SqliteConnection> conn);

  absl::Duration max_wait_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> free_ ABSL_GUARDED_BY(mu_);
  int size_ ABSL_GUARDED_BY(mu_) = 0;  // connections owned, lent or free
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_CONNECTION_POOL_H_
