#include "storage/postgres/pg_transactions.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sessions {

absl::Status PgTransactions::Begin() {
  if (conn_ == nullptr || !conn_->StillConnected()) {
    conn_.reset();
    ASSIGN_OR_RETURN(conn_, PgConnection::Open(dsn_));
  }
  RETURN_IF_ERROR(conn_->ExecScript("begin write transaction", "BEGIN"));
  absl::Status locked = conn_->ExecScript(
      "begin write transaction", "SELECT revision FROM store_state WHERE id = 1 FOR UPDATE");
  if (!locked.ok()) Rollback();
  return locked;
}

absl::Status PgTransactions::Savepoint() {
  return conn_->ExecScript("begin write", "SAVEPOINT op");
}

absl::Status PgTransactions::RollbackToSavepoint() {
  return conn_->ExecScript("roll back write", "ROLLBACK TO SAVEPOINT op");
}

absl::Status PgTransactions::ReleaseSavepoint() {
  return conn_->ExecScript("end write", "RELEASE SAVEPOINT op");
}

absl::Status PgTransactions::Commit() {
  static const std::string kCommit = absl::StrCat("NOTIFY ", kChangesChannel, "; COMMIT");
  return conn_->ExecScript("commit write transaction", kCommit.c_str());
}

void PgTransactions::Rollback() {
  if (conn_ != nullptr && conn_->ok()) conn_->ExecScript("roll back", "ROLLBACK").IgnoreError();
}

absl::Status PgTransactions::Run(const std::function<absl::Status(PgConnection&)>& op) {
  return op(*conn_);
}

}  // namespace sessions
