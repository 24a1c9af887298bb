// SessionStore on PostgreSQL 15, for stateless replicas sharing one
// database (DESIGN.md "Scale-out"). Same contract as SqliteSessionStore;
// the write rules are the engine-independent ones (storage/session_writes.h).
#ifndef STORAGE_POSTGRES_PG_SESSION_STORE_H_
#define STORAGE_POSTGRES_PG_SESSION_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "storage/group_commit_session_writes.h"
#include "storage/postgres/pg_change_listener.h"
#include "storage/postgres/pg_connection_pool.h"
#include "storage/postgres/pg_session_rows.h"
#include "storage/postgres/pg_transactions.h"
#include "storage/retention_purger.h"
#include "storage/session_store.h"
#include "storage/session_writes.h"

namespace sessions {

// Tuning of PgSessionStore.
struct PgStoreOptions {
  // Pooled connections for reads (each replica's share of the server's
  // max_connections; the writer has one more of its own).
  int read_connections = 4;
  // How long a read waits for a free connection before UNAVAILABLE.
  absl::Duration max_wait = absl::Seconds(5);
  // Most write operations committed together in one transaction.
  int max_batch = 256;
  // Most write operations waiting for the writer; more get UNAVAILABLE.
  int max_queued_writes = kDefaultMaxQueuedWrites;
  // Rows fetched per round trip by the listings of the whole store
  // (ForEachSession, the change feed): their memory stays bounded.
  int fetch_rows = 500;
  RetentionOptions retention;
};

// Thread-safe. Reads borrow pooled connections; writes, blocking or async,
// are queued to one writer thread per process that commits all pending
// ones in one transaction (one WAL flush), each inside its own SAVEPOINT.
// Transactions of all replicas are serialized on the store_state row
// (pg_transactions.h), which is what keeps revisions in commit order.
// Durable on reply with the server's synchronous_commit on (its default):
// turning it off trades the last few hundred milliseconds of acknowledged
// writes, on a server crash, for lower write latency.
//
//   ASSIGN_OR_RETURN(auto store, PgSessionStore::Open("host=db dbname=sessions", {}));
class PgSessionStore final : public SessionStore {
 public:
  using Options = PgStoreOptions;

  // Connects and migrates the schema (PgSchema; replicas starting together
  // migrate once). UNAVAILABLE when the database cannot be reached,
  // FAILED_PRECONDITION for a schema newer than this binary.
  static absl::StatusOr<std::unique_ptr<PgSessionStore>> Open(const std::string& dsn,
                                                              const Options& options);

  // Calls Close().
  ~PgSessionStore() override;

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

  // Stops the purge, commits every queued write, stops the writer and
  // closes every connection. Later calls return UNAVAILABLE. Idempotent.
  void Close();

  // LISTEN/NOTIFY (pg_change_listener.h): starts the listener's connection
  // with the first listener set.
  void SetChangeListener(std::function<void()> wake) override;

  WriterStats stats() const override { return writer_->stats(); }
  PurgeStats purge_stats() const override { return purger_ ? purger_->stats() : PurgeStats{}; }

 private:
  PgSessionStore(const std::string& dsn, const Options& options);

  // Runs `read` in a read-only REPEATABLE READ transaction (one snapshot)
  // on a pooled connection.
  absl::Status InSnapshot(const char* what, const std::function<absl::Status(PgConnection&)>& read);
  // Visits the rows of `sql` through a cursor, fetch_rows at a time.
  absl::Status VisitCursor(PgConnection& conn, const char* what, const std::string& sql,
                           const std::function<absl::Status(const PgResult&, int row)>& visit);

  const std::string dsn_;
  const Options options_;
  PgConnectionPool readers_;
  std::unique_ptr<PgGroupCommitWriter> writer_;
  GroupCommitSessionWrites<PgTransactions, PgSessionRows> writes_;
  // Started last and stopped first: its thread writes through writer_.
  std::optional<RetentionPurger> purger_;

  // Held while the listener runs, so that replacing it waits for a call in
  // progress.
  absl::Mutex listener_mu_;
  std::function<void()> listener_ ABSL_GUARDED_BY(listener_mu_);
  // Created with the first listener; calls listener_.
  std::unique_ptr<PgChangeListener> notifications_ ABSL_GUARDED_BY(listener_mu_);
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_SESSION_STORE_H_
