// The SQLite transaction statements of the group-commit writer
// (storage/group_commit_writer.h): BEGIN IMMEDIATE takes SQLite's one write
// lock (of this process or another, e.g. sessionsctl) for the batch.
#ifndef STORAGE_SQLITE_SQLITE_TRANSACTIONS_H_
#define STORAGE_SQLITE_SQLITE_TRANSACTIONS_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "storage/group_commit_writer.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// Owns the writer's connection. Used by the writer thread only.
class SqliteTransactions {
 public:
  using Connection = SqliteConnection;

  explicit SqliteTransactions(std::unique_ptr<SqliteConnection> conn) : conn_(std::move(conn)) {}

  SqliteConnection& conn() { return *conn_; }
  absl::Status Begin();
  absl::Status Savepoint();
  absl::Status RollbackToSavepoint();
  absl::Status ReleaseSavepoint();
  absl::Status Commit();
  void Rollback();
  // Runs `op`; a SQLite::Exception it throws becomes its Status.
  absl::Status Run(const std::function<absl::Status(SqliteConnection&)>& op);

 private:
  std::unique_ptr<SqliteConnection> conn_;
};

using SqliteGroupCommitWriter = GroupCommitWriter<SqliteTransactions>;

}  // namespace sessions

#endif  // STORAGE_SQLITE_SQLITE_TRANSACTIONS_H_
