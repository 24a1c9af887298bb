#include "storage/sqlite/sqlite_transactions.h"

namespace sessions {
namespace {

// Runs the transaction-control statement `sql`; its failure aborts the batch.
absl::Status ExecControl(SqliteConnection& conn, const char* sql, const char* what) {
  return CatchSqlite(what, [&]() -> absl::Status {
    conn.Prepare(sql).exec();
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status SqliteTransactions::Begin() {
  return ExecControl(*conn_, "BEGIN IMMEDIATE", "begin write transaction");
}

absl::Status SqliteTransactions::Savepoint() {
  return ExecControl(*conn_, "SAVEPOINT op", "begin write");
}

absl::Status SqliteTransactions::RollbackToSavepoint() {
  // A failed op may have left a statement mid-step.
  conn_->ResetAll();
  return ExecControl(*conn_, "ROLLBACK TO op", "roll back write");
}

absl::Status SqliteTransactions::ReleaseSavepoint() {
  return ExecControl(*conn_, "RELEASE op", "end write");
}

absl::Status SqliteTransactions::Commit() {
  return ExecControl(*conn_, "COMMIT", "commit write transaction");
}

void SqliteTransactions::Rollback() {
  conn_->ResetAll();
  conn_->db().tryExec("ROLLBACK");
}

absl::Status SqliteTransactions::Run(const std::function<absl::Status(SqliteConnection&)>& op) {
  return CatchSqlite("write", [&]() -> absl::Status { return op(*conn_); });
}

}  // namespace sessions
