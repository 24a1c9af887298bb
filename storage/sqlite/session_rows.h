// The write operations of SqliteSessionStore on the `sessions` and
// `session_customers` tables (schema.cc). Internal to storage/: they run on
// the writer thread inside a GroupCommitWriter savepoint.
#ifndef STORAGE_SQLITE_SESSION_ROWS_H_
#define STORAGE_SQLITE_SESSION_ROWS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "storage/session_store.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// The indexed values of a session row.
struct SessionKeys {
  int64_t created_us = 0;   // date_created
  int64_t modified_us = 0;  // date_last_modified; INT64_MIN when empty
};

// Validates what the store relies on (account_id, id, date_created, and
// date_last_modified when set) and returns the row's indexed values.
// INVALID_ARGUMENT names the field, prefixed by `field_prefix`
// (e.g. "sessions[2].").
absl::StatusOr<SessionKeys> KeysOf(const SessionInfo& session, const std::string& field_prefix);

// A session as a row: its indexed values and its serialization. Built on
// the caller's thread (PrepareRows), so that the one writer thread spends
// its time in SQLite only.
struct SessionRow {
  const SessionInfo* session = nullptr;  // not owned; must outlive the row
  SessionKeys keys;
  std::string data;  // the serialized `session`
};

// Checks every session with KeysOf (field prefix "sessions[i].") and
// serializes it. INVALID_ARGUMENT for the first invalid session.
absl::StatusOr<std::vector<SessionRow>> PrepareRows(absl::Span<const SessionInfo> sessions);

// Upserts every row (staleness rule of SessionStore::UpsertSessions), each
// applied one at a new revision, enforcing `authority` first (customer
// directory, then its stored-session check). Its first error is returned,
// and the caller's savepoint must then roll back the rows already written.
// INTERNAL if a stored version is unreadable (the check fails closed). May
// throw SQLite::Exception.
absl::StatusOr<UpsertResult> UpsertSessionRows(SqliteConnection& conn,
                                               absl::Span<const SessionRow> rows,
                                               const SessionStore::UpsertAuthority& authority);

// One directory entry (SessionStore::SetCustomerParent), inside the
// caller's transaction. May throw SQLite::Exception.
absl::Status SetCustomerParentRow(SqliteConnection& conn, const std::string& account_id,
                                  const std::string& customer_id, const std::string& parent_id);

// The customer's path in the account's directory (SessionStore::CustomerPath).
// May throw SQLite::Exception.
absl::StatusOr<std::vector<std::string>> DirectoryPath(SqliteConnection& conn,
                                                       const std::string& account_id,
                                                       const std::string& customer_id);

// Read-modify-write of one session (SessionStore::UpdateSession); returns
// the write's revision. NOT_FOUND, INVALID_ARGUMENT if `mutate` changed
// account_id or id or broke a date, or mutate's own error. May throw
// SQLite::Exception.
absl::StatusOr<int64_t> UpdateSessionRow(SqliteConnection& conn, const std::string& account_id,
                                         const std::string& session_id,
                                         const std::function<absl::Status(SessionInfo*)>& mutate);

}  // namespace sessions

#endif  // STORAGE_SQLITE_SESSION_ROWS_H_
