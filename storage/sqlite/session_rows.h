// SqliteSessionRows: the SQLite primitives of the engine-independent write
// rules (storage/session_writes.h) on the `sessions`, `session_customers`
// and `customers` tables (schema.cc). Internal to storage/sqlite: writes run
// on the writer thread inside a SqliteGroupCommitWriter savepoint.
#ifndef STORAGE_SQLITE_SESSION_ROWS_H_
#define STORAGE_SQLITE_SESSION_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/session_writes.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// The rows of one connection. Every method may throw SQLite::Exception: call
// inside CatchSqlite (the writer does). Not thread-safe (as the connection).
class SqliteSessionRows final : public SessionWriteTarget {
 public:
  explicit SqliteSessionRows(SqliteConnection& conn) : conn_(conn) {}

  absl::StatusOr<std::optional<std::string>> ParentOf(const std::string& account_id,
                                                      const std::string& customer_id) override;
  absl::StatusOr<SessionInfo> ReadStored(const std::string& account_id,
                                         const std::string& session_id) override;
  absl::StatusOr<int64_t> WriteRow(const SessionRow& row, bool unless_stale) override;
  absl::Status WriteParents(const std::string& account_id,
                            absl::Span<const CustomerParent> entries) override;

 private:
  SqliteConnection& conn_;
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_SESSION_ROWS_H_
