// SessionStore on one SQLite file: a pool of read-only connections for the
// (frequent) reads and one group-committing writer thread for the writes.
#ifndef STORAGE_SQLITE_SQLITE_SESSION_STORE_H_
#define STORAGE_SQLITE_SQLITE_SESSION_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/group_commit_session_writes.h"
#include "storage/retention_purger.h"
#include "storage/session_store.h"
#include "storage/sqlite/connection_pool.h"
#include "storage/sqlite/session_rows.h"
#include "storage/sqlite/sqlite_transactions.h"
#include "storage/sqlite/wal_checkpointer.h"

namespace sessions {

// Tuning of SqliteSessionStore (defaults fit the embedded deployment).
struct SqliteStoreOptions {
  // Read-only connections (concurrent readers).
  int read_connections = 4;
  // How long to wait for a lock held by another process (sessionsctl).
  int busy_timeout_ms = 5000;
  // The SQLite VFS of every connection; empty: SQLite's default (tests name
  // a fault-injecting one).
  std::string vfs;
  // Most write operations committed together in one transaction.
  int max_batch = 256;
  // Most write operations waiting for the writer; more get UNAVAILABLE.
  int max_queued_writes = kDefaultMaxQueuedWrites;
  // When the WAL is copied into the database file (on a background thread).
  WalCheckpointerOptions checkpoints;
  RetentionOptions retention;
};

// The SQLite SessionStore. Schema and migrations: schema.h. The database
// keeps, beside indexed columns, each session's serialized SessionInfo.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SqliteSessionStore> store,
//                    SqliteSessionStore::Open("/data/sessions.db", {}));
//   RETURN_IF_ERROR(store->ListActiveSessions(query, response.mutable_sessions()));
//
// Thread-safe. Reads use a pool of connections (WAL: they never wait for
// the writer). Writes, blocking or async, are queued to one writer thread
// that commits all pending ones in one transaction (one fsync), each inside
// its own SAVEPOINT so a failing write rolls back only itself.
// UpdateSession's `mutate` runs on that writer thread (keep it quick), async
// callbacks on the writer's completion thread, in commit order; neither may
// make blocking writes.
class SqliteSessionStore final : public SessionStore {
 public:
  using Options = SqliteStoreOptions;

  // Opens or creates the database at `path` and migrates it to the latest
  // schema. FAILED_PRECONDITION "cannot open database <path>: ..." if the
  // file cannot be opened or its schema is newer than this binary.
  static absl::StatusOr<std::unique_ptr<SqliteSessionStore>> Open(const std::string& path,
                                                                  const Options& options);

  // Calls Close().
  ~SqliteSessionStore() override;

  absl::Status ListActiveSessions(const ActiveSessionsQuery& query,
                                  google::protobuf::RepeatedPtrField<SessionInfo>* out) override;
  absl::StatusOr<SessionInfo> GetSession(const std::string& account_id,
                                         const std::string& session_id) override;
  absl::StatusOr<UpsertResult> UpsertSessions(absl::Span<const SessionInfo> sessions) override;
  absl::StatusOr<int64_t> UpdateSession(
      const std::string& account_id, const std::string& session_id,
      const std::function<absl::Status(SessionInfo*)>& mutate) override;
  void UpsertSessionsAsync(std::vector<SessionInfo> sessions, UpsertAuthority authority,
                           UpsertCallback done) override;
  void UpsertSessionAsync(const SessionInfo& session, UpsertAuthority authority,
                          UpsertCallback done) override;
  absl::StatusOr<std::vector<std::string>> CustomerPath(const std::string& account_id,
                                                        const std::string& customer_id) override;
  absl::Status SetCustomerParent(const std::string& account_id, const std::string& customer_id,
                                 const std::string& parent_id) override;
  void UpdateSessionAsync(std::string account_id, std::string session_id, MutateFn mutate,
                          RevisionCallback done) override;
  absl::Status ForEachSession(
      const std::function<absl::Status(const SessionInfo&)>& visit) override;
  absl::StatusOr<FeedPosition> ListActiveChanges(const ChangeVisitor& visit) override;
  absl::StatusOr<FeedPosition> ChangesAfter(int64_t after_revision, int limit,
                                            const ChangeVisitor& visit) override;

  absl::StatusOr<int> PurgeExpired() override;

  // Waits for in-flight reads, commits every queued write, stops the writer
  // thread and closes all connections. Later calls return UNAVAILABLE.
  // Idempotent.
  void Close();

  // Group-commit counters (commits vs operations).
  WriterStats stats() const override { return writer_->stats(); }
  // WAL checkpoint counters.
  CheckpointStats checkpoint_stats() const { return checkpointer_->stats(); }
  // Retention purge counters (zero when the background purge is off).
  PurgeStats purge_stats() const override { return purger_ ? purger_->stats() : PurgeStats{}; }

  // Returns the EXPLAIN QUERY PLAN lines of the statement that
  // ListActiveSessions(query) runs. For tests and diagnostics.
  absl::StatusOr<std::vector<std::string>> ExplainActiveQuery(const ActiveSessionsQuery& query);

 private:
  SqliteSessionStore(const Options& options, std::unique_ptr<ConnectionPool> readers,
                     std::unique_ptr<WalCheckpointer> checkpointer,
                     std::unique_ptr<SqliteGroupCommitWriter> writer);

  std::unique_ptr<ConnectionPool> readers_;
  // Its WAL hook on the writer's connection refers to it: outlives writer_.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::unique_ptr<SqliteGroupCommitWriter> writer_;
  GroupCommitSessionWrites<SqliteTransactions, SqliteSessionRows> writes_;
  const RetentionOptions retention_;
  // Started last and stopped first: its thread writes through writer_.
  std::optional<RetentionPurger> purger_;
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_SQLITE_SESSION_STORE_H_
