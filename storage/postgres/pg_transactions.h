// The PostgreSQL transaction statements of the group-commit writer
// (storage/group_commit_writer.h). Each batch's transaction first locks the
// store_state row (SELECT ... FOR UPDATE): writers of every replica then
// run one transaction at a time, so
//   - revisions are taken in commit order: a tailer reading "revision > R"
//     can never miss a row that commits later with a smaller revision (the
//     trap of a plain sequence, where transactions commit out of order);
//   - what a write reads (the stored session of a StoredCheck, the customer
//     directory) cannot change before it commits, as under SQLite's one
//     write lock.
// The commit also NOTIFYs kChangesChannel, which wakes other replicas'
// tailers at once.
#ifndef STORAGE_POSTGRES_PG_TRANSACTIONS_H_
#define STORAGE_POSTGRES_PG_TRANSACTIONS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "storage/group_commit_writer.h"
#include "storage/postgres/pg_connection.h"

namespace sessions {

// The LISTEN/NOTIFY channel of committed writes.
inline constexpr const char kChangesChannel[] = "active_sessions_changes";

// Owns the writer's connection, and opens a new one at the next batch when
// it broke (the server restarted, or failed over). Used by the writer
// thread only.
class PgTransactions {
 public:
  using Connection = PgConnection;

  explicit PgTransactions(std::string dsn) : dsn_(std::move(dsn)) {}

  absl::Status Begin();
  absl::Status Savepoint();
  absl::Status RollbackToSavepoint();
  absl::Status ReleaseSavepoint();
  // A COMMIT whose connection broke has an unknown outcome: it is reported
  // UNAVAILABLE, and a retried upsert is harmless (same data, same
  // date_last_modified: applied again).
  absl::Status Commit();
  void Rollback();
  absl::Status Run(const std::function<absl::Status(PgConnection&)>& op);

 private:
  std::string dsn_;
  std::unique_ptr<PgConnection> conn_;
};

using PgGroupCommitWriter = GroupCommitWriter<PgTransactions>;

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_TRANSACTIONS_H_
