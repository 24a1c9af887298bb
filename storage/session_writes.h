// The rules of SessionStore writes that do not depend on the engine: what a
// valid row is, the staleness rule's order of checks, the customer
// directory (how account-level writes state the tree, how restricted writes
// are checked against it), and read-modify-write. Each engine implements
// the few primitives of SessionWriteTarget over its connection, inside its
// write transaction (SQLite: storage/sqlite/session_rows.h; PostgreSQL:
// storage/postgres/pg_session_rows.h), so both enforce one implementation.
#ifndef STORAGE_SESSION_WRITES_H_
#define STORAGE_SESSION_WRITES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/session_store.h"

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
// its time in the database only.
struct SessionRow {
  const SessionInfo* session = nullptr;  // not owned; must outlive the row
  SessionKeys keys;
  std::string data;  // the serialized `session`
};

// Checks every session with KeysOf (field prefix "sessions[i].") and
// serializes it. INVALID_ARGUMENT for the first invalid session.
absl::StatusOr<std::vector<SessionRow>> PrepareRows(absl::Span<const SessionInfo> sessions);

// The customers a session is listed under (the `session_customers`
// entries): its own customer and every breadcrumb entry, non-empty, sorted,
// without duplicates; none once ended. The views point into `session`.
std::vector<absl::string_view> ListedCustomers(const SessionInfo& session);

// One stored `session_customers` entry of a session.
struct ListingEntry {
  std::string customer_id;
  int64_t created_us = 0;
};

// Whether a session's stored entries are exactly `listed` at `created_us`.
// The listing rarely changes between updates of a session: engines leave
// the entries alone when they are already right (no index write).
bool ListingIsCurrent(const std::vector<absl::string_view>& listed, int64_t created_us,
                      const std::vector<ListingEntry>& stored);

// One entry of the customer directory: `customer_id`'s parent ("" for a
// root).
struct CustomerParent {
  std::string customer_id;
  std::string parent_id;
};

// Reads the customer directory (customer -> parent, per account).
class CustomerDirectoryReader {
 public:
  virtual ~CustomerDirectoryReader() = default;
  // The customer's parent ("" for a root); nullopt when the directory has
  // no entry for it.
  virtual absl::StatusOr<std::optional<std::string>> ParentOf(const std::string& account_id,
                                                              const std::string& customer_id) = 0;
};

// What an engine does inside its write transaction. Not thread-safe: used
// by the writer thread only. Implementations may signal engine errors their
// own way as long as the caller's transaction wrapper converts them (the
// SQLite one throws SQLite::Exception).
class SessionWriteTarget : public CustomerDirectoryReader {
 public:
  // The stored session; NOT_FOUND when there is none, INTERNAL when its
  // bytes do not parse.
  virtual absl::StatusOr<SessionInfo> ReadStored(const std::string& account_id,
                                                 const std::string& session_id) = 0;
  // Writes the row at the store's next revision, with its session_customers
  // entries (ListedCustomers), and returns that revision. With
  // `unless_stale`, an existing row with a newer date_last_modified is left
  // alone and 0 is returned (the revision stays unused).
  virtual absl::StatusOr<int64_t> WriteRow(const SessionRow& row, bool unless_stale) = 0;
  // Sets directory entries of one account (each written only when it
  // changes). No customer appears twice in `entries`.
  virtual absl::Status WriteParents(const std::string& account_id,
                                    absl::Span<const CustomerParent> entries) = 0;
};

// The customer's path in the account's directory, root first, ending with
// the customer (SessionStore::CustomerPath). NOT_FOUND if it has no entry.
absl::StatusOr<std::vector<std::string>> DirectoryPath(CustomerDirectoryReader& directory,
                                                       const std::string& account_id,
                                                       const std::string& customer_id);

// Upserts every row (staleness rule of SessionStore::UpsertSessions), each
// applied one at a new revision, enforcing `authority` first (customer
// directory, then its stored-session check). Its first error is returned,
// and the caller's savepoint must then roll back the rows already written.
absl::StatusOr<UpsertResult> UpsertRows(SessionWriteTarget& target,
                                        absl::Span<const SessionRow> rows,
                                        const SessionStore::UpsertAuthority& authority);

// Read-modify-write of one session (SessionStore::UpdateSession); returns
// the write's revision. NOT_FOUND, INVALID_ARGUMENT if `mutate` changed
// account_id or id or broke a date, or mutate's own error.
absl::StatusOr<int64_t> UpdateRow(SessionWriteTarget& target, const std::string& account_id,
                                  const std::string& session_id,
                                  const std::function<absl::Status(SessionInfo*)>& mutate);

// One directory entry (SessionStore::SetCustomerParent): INVALID_ARGUMENT
// naming the field for an empty or equal id or a parent below the customer.
absl::Status SetCustomerParentEntry(SessionWriteTarget& target, const std::string& account_id,
                                    const std::string& customer_id, const std::string& parent_id);

}  // namespace sessions

#endif  // STORAGE_SESSION_WRITES_H_
