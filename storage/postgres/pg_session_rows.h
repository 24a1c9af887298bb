// PgSessionRows: the PostgreSQL primitives of the engine-independent write
// rules (storage/session_writes.h) on the `sessions`, `session_customers`
// and `customers` tables (pg_schema.cc). Internal to storage/postgres:
// writes run on the writer thread inside a PgGroupCommitWriter savepoint,
// after the transaction locked store_state (pg_transactions.h).
#ifndef STORAGE_POSTGRES_PG_SESSION_ROWS_H_
#define STORAGE_POSTGRES_PG_SESSION_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/postgres/pg_connection.h"
#include "storage/session_writes.h"

namespace sessions {

// The rows of one connection. Not thread-safe (as the connection).
class PgSessionRows final : public SessionWriteTarget {
 public:
  explicit PgSessionRows(PgConnection& conn) : conn_(conn) {}

  absl::StatusOr<std::optional<std::string>> ParentOf(const std::string& account_id,
                                                      const std::string& customer_id) override;
  absl::StatusOr<SessionInfo> ReadStored(const std::string& account_id,
                                         const std::string& session_id) override;
  absl::StatusOr<int64_t> WriteRow(const SessionRow& row, bool unless_stale) override;
  absl::Status WriteParents(const std::string& account_id,
                            absl::Span<const CustomerParent> entries) override;

 private:
  PgConnection& conn_;
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_SESSION_ROWS_H_
