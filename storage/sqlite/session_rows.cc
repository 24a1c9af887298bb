#include "storage/sqlite/session_rows.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

constexpr const char kSelectData[] = "SELECT data FROM sessions WHERE account_id = ?1 AND id = ?2";
// Writes over an existing row whose indexed values (created_us, ended) are
// unchanged: such an UPDATE leaves the partial index sessions_active alone,
// while the UPSERT below rewrites its entry (SQLite re-inserts the index
// entries of every SET column, changed or not), which doubled the pages
// every commit writes. ?8 is the staleness bound: the stored
// date_last_modified must not be newer (INT64_MAX: no staleness rule).
constexpr const char kUpdateSameKeys[] =
    "UPDATE sessions SET customer_id = ?3, modified_us = ?5, data = ?7, revision = ?9, "
    "changed_us = ?10 "
    "WHERE account_id = ?1 AND id = ?2 AND created_us = ?4 AND ended = ?6 "
    "AND modified_us <= ?8";
// Everything else: a new row, or new indexed values. A row that exists with
// a date_last_modified newer than ?8 is left alone (the staleness rule).
constexpr const char kUpsertRow[] =
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data, "
    "revision, changed_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10) "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data, revision = excluded.revision, "
    "changed_us = excluded.changed_us "
    "WHERE sessions.modified_us <= ?8";
// The revision counter (schema migration 3). Every write runs inside the
// one write transaction SQLite allows at a time (BEGIN IMMEDIATE, in this
// process or another), so reading and bumping it there makes revision order
// commit order.
constexpr const char kLastRevision[] = "SELECT revision FROM store_state WHERE id = 1";
constexpr const char kSetRevision[] = "UPDATE store_state SET revision = ?1 WHERE id = 1";
constexpr const char kDeleteCustomers[] =
    "DELETE FROM session_customers WHERE account_id = ?1 AND session_id = ?2";
constexpr const char kInsertCustomer[] =
    "INSERT OR IGNORE INTO session_customers (account_id, customer_id, created_us, session_id) "
    "VALUES (?1, ?2, ?3, ?4)";
// Covered by session_customers_by_session (its entries carry the primary key).
constexpr const char kSelectCustomers[] =
    "SELECT customer_id, created_us FROM session_customers "
    "WHERE account_id = ?1 AND session_id = ?2";

// The customer directory (schema migration 4).
constexpr const char kParentOf[] =
    "SELECT parent_id FROM customers WHERE account_id = ?1 AND customer_id = ?2";
// Written only when the parent changed, so that a path already known costs
// a lookup per entry and no page write.
constexpr const char kSetParent[] =
    "INSERT INTO customers (account_id, customer_id, parent_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (account_id, customer_id) DO UPDATE SET parent_id = excluded.parent_id "
    "WHERE parent_id <> excluded.parent_id";
// Deeper than any breadcrumb the validator accepts (32 levels): a longer
// walk is a cycle in the directory.
constexpr int kMaxDirectoryDepth = 64;

absl::string_view View(absl::string_view s) { return s; }
absl::string_view View(const std::string* s) { return *s; }

void InsertCustomer(SqliteConnection& conn, const SessionInfo& session, const SessionKeys& keys,
                    const std::string& customer_id) {
  SQLite::Statement& insert = conn.Prepare(kInsertCustomer);
  insert.bindNoCopy(1, session.account_id());
  insert.bindNoCopy(2, customer_id);  // TEXT (a blob would never match)
  insert.bind(3, static_cast<int64_t>(keys.created_us));
  insert.bindNoCopy(4, session.id());
  insert.exec();
}

// The session_customers entries the row must have: its own customer and
// every breadcrumb entry (non-empty, without duplicates, sorted), none once
// ended. The pointers point into `session`.
std::vector<const std::string*> CustomerPath(const SessionInfo& session) {
  std::vector<const std::string*> path;
  if (session.ended()) return path;
  path.reserve(1 + session.customer_breadcrumb_size());
  if (!session.customer_id().empty()) path.push_back(&session.customer_id());
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (!crumb.id().empty()) path.push_back(&crumb.id());
  }
  std::sort(path.begin(), path.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  path.erase(std::unique(path.begin(), path.end(),
                         [](const std::string* a, const std::string* b) { return *a == *b; }),
             path.end());
  return path;
}

// Whether the stored session_customers entries of the session are exactly
// `path` at `created_us`. Sets `*any` when at least one entry is stored.
bool StoredPathIs(SqliteConnection& conn, const SessionInfo& session,
                  const std::vector<const std::string*>& path, int64_t created_us, bool* any) {
  SQLite::Statement& select = conn.Prepare(kSelectCustomers);
  absl::Cleanup reset = [&select] { select.tryReset(); };
  select.bindNoCopy(1, session.account_id());
  select.bindNoCopy(2, session.id());
  size_t matched = 0;
  bool same = true;
  *any = false;
  while (select.executeStep()) {
    *any = true;
    SQLite::Column id = select.getColumn(0);
    const absl::string_view stored(static_cast<const char*>(id.getText()),
                                   static_cast<size_t>(id.getBytes()));
    // Stored entries are unique by primary key; `path` is sorted and unique.
    if (select.getColumn(1).getInt64() != created_us ||
        !std::binary_search(path.begin(), path.end(), stored,
                            [](const auto& a, const auto& b) { return View(a) < View(b); })) {
      same = false;
      break;
    }
    ++matched;
  }
  return same && matched == path.size();
}

// The revision the next write gets.
int64_t NextRevision(SqliteConnection& conn) {
  SQLite::Statement& select = conn.Prepare(kLastRevision);
  absl::Cleanup reset = [&select] { select.tryReset(); };
  if (!select.executeStep()) throw SQLite::Exception("store_state has no row");
  return select.getColumn(0).getInt64() + 1;
}

// Runs kUpdateSameKeys or kUpsertRow for `row`; returns the rows changed.
int ExecRowWrite(SqliteConnection& conn, const char* sql, const SessionRow& row,
                 int64_t stale_bound_us, int64_t revision, int64_t changed_us) {
  const SessionInfo& session = *row.session;
  SQLite::Statement& write = conn.Prepare(sql);
  write.bindNoCopy(1, session.account_id());
  write.bindNoCopy(2, session.id());
  write.bindNoCopy(3, session.customer_id());
  write.bind(4, static_cast<int64_t>(row.keys.created_us));
  write.bind(5, static_cast<int64_t>(row.keys.modified_us));
  write.bind(6, session.ended() ? 1 : 0);
  write.bindNoCopy(7, row.data.data(), static_cast<int>(row.data.size()));
  write.bind(8, static_cast<int64_t>(stale_bound_us));
  write.bind(9, static_cast<int64_t>(revision));
  write.bind(10, static_cast<int64_t>(changed_us));
  return write.exec();
}

// Writes the row at a new revision and its session_customers entries (none
// once ended); returns the revision. With `unless_stale`, an existing row
// with a newer date_last_modified is left alone and 0 is returned.
int64_t WriteRow(SqliteConnection& conn, const SessionRow& row, bool unless_stale) {
  const int64_t stale_bound_us =
      unless_stale ? row.keys.modified_us : std::numeric_limits<int64_t>::max();
  const int64_t revision = NextRevision(conn);
  const int64_t changed_us = absl::ToUnixMicros(absl::Now());
  if (ExecRowWrite(conn, kUpdateSameKeys, row, stale_bound_us, revision, changed_us) == 0 &&
      ExecRowWrite(conn, kUpsertRow, row, stale_bound_us, revision, changed_us) == 0) {
    return 0;  // stale: nothing written, the revision stays unused
  }
  SQLite::Statement& set_revision = conn.Prepare(kSetRevision);
  set_revision.bind(1, static_cast<int64_t>(revision));
  set_revision.exec();

  // The customer path rarely changes between updates of a session: leave
  // its entries alone when they are already right.
  const SessionInfo& session = *row.session;
  const std::vector<const std::string*> path = CustomerPath(session);
  bool any_stored = false;
  if (StoredPathIs(conn, session, path, row.keys.created_us, &any_stored)) return revision;
  if (any_stored) {
    SQLite::Statement& clear = conn.Prepare(kDeleteCustomers);
    clear.bindNoCopy(1, session.account_id());
    clear.bindNoCopy(2, session.id());
    clear.exec();
  }
  for (const std::string* customer_id : path) InsertCustomer(conn, session, row.keys, *customer_id);
  return revision;
}

// The session's customer path: breadcrumb ids (non-empty), root first,
// then its customer_id unless it already ends the breadcrumb.
std::vector<std::string> ClaimedPath(const SessionInfo& session) {
  std::vector<std::string> path;
  for (const auto& crumb : session.customer_breadcrumb()) {
    if (!crumb.id().empty()) path.push_back(crumb.id());
  }
  if (!session.customer_id().empty() && (path.empty() || path.back() != session.customer_id())) {
    path.push_back(session.customer_id());
  }
  return path;
}

// One directory entry: `customer_id`'s parent is `parent_id` ('' a root).
void WriteParent(SqliteConnection& conn, const std::string& account_id,
                 const std::string& customer_id, const std::string& parent_id) {
  SQLite::Statement& set = conn.Prepare(kSetParent);
  absl::Cleanup reset = [&set] { set.tryReset(); };
  set.bindNoCopy(1, account_id);
  set.bindNoCopy(2, customer_id);
  set.bindNoCopy(3, parent_id);
  set.exec();
}

// An account-level writer's session states the tree: each entry's parent is
// the entry before it.
void RecordPath(SqliteConnection& conn, const std::string& account_id,
                const std::vector<std::string>& path) {
  // A path naming a customer twice is no path in a tree (it would make a
  // cycle): it teaches nothing.
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& id : path) {
    if (!seen.insert(id).second) return;
  }
  const std::string root;
  for (size_t i = 0; i < path.size(); ++i) {
    WriteParent(conn, account_id, path[i], i == 0 ? root : path[i - 1]);
  }
}

absl::Status OutsideRestriction() {
  return absl::PermissionDeniedError(
      "customer_id: outside the customer this token is restricted to");
}

// A restricted writer's session: its customer must be known, below (or at)
// `restricted_to`, and the session's path must be the directory's.
absl::Status CheckRestrictedPath(SqliteConnection& conn, const SessionInfo& session,
                                 const std::string& restricted_to) {
  const std::vector<std::string> claimed = ClaimedPath(session);
  if (claimed.empty()) return OutsideRestriction();
  absl::StatusOr<std::vector<std::string>> known =
      DirectoryPath(conn, session.account_id(), claimed.back());
  if (absl::IsNotFound(known.status())) return OutsideRestriction();
  if (!known.ok()) return known.status();
  if (std::find(known->begin(), known->end(), restricted_to) == known->end()) {
    return OutsideRestriction();
  }
  if (claimed != *known) {
    return FieldError("customer_breadcrumb",
                      absl::StrCat("does not match the account's customer directory (expected ",
                                   absl::StrJoin(known->begin(), known->end() - 1, ", "), ")"));
  }
  return absl::OkStatus();
}

// The stored session, inside the caller's transaction. NOT_FOUND, or
// INTERNAL when its bytes do not parse.
absl::StatusOr<SessionInfo> ReadStored(SqliteConnection& conn, const std::string& account_id,
                                       const std::string& session_id) {
  SQLite::Statement& select = conn.Prepare(kSelectData);
  absl::Cleanup reset = [&select] { select.tryReset(); };
  select.bindNoCopy(1, account_id);
  select.bindNoCopy(2, session_id);
  if (!select.executeStep()) return absl::NotFoundError("session not found");
  SQLite::Column data = select.getColumn(0);
  SessionInfo session;
  if (!session.ParseFromArray(data.getBlob(), data.getBytes())) {
    return absl::InternalError("storage: stored session is unreadable");
  }
  return session;
}

}  // namespace

absl::Status SetCustomerParentRow(SqliteConnection& conn, const std::string& account_id,
                                  const std::string& customer_id, const std::string& parent_id) {
  if (account_id.empty()) return FieldError("account_id", "required");
  if (customer_id.empty()) return FieldError("customer_id", "required");
  if (parent_id == customer_id) {
    return FieldError("parent_id", "a customer cannot be its own parent");
  }
  if (!parent_id.empty()) {
    absl::StatusOr<std::vector<std::string>> above = DirectoryPath(conn, account_id, parent_id);
    if (!above.ok() && !absl::IsNotFound(above.status())) return above.status();
    if (above.ok() && std::find(above->begin(), above->end(), customer_id) != above->end()) {
      return FieldError("parent_id", "is below the customer (that would make a cycle)");
    }
  }
  WriteParent(conn, account_id, customer_id, parent_id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> DirectoryPath(SqliteConnection& conn,
                                                       const std::string& account_id,
                                                       const std::string& customer_id) {
  std::vector<std::string> path{customer_id};
  SQLite::Statement& select = conn.Prepare(kParentOf);
  for (int depth = 0; depth < kMaxDirectoryDepth; ++depth) {
    absl::Cleanup reset = [&select] { select.tryReset(); };
    select.bindNoCopy(1, account_id);
    select.bind(2, path.back());
    if (!select.executeStep()) {
      if (depth == 0) return absl::NotFoundError("customer not in the directory");
      // A parent the directory never got a row for: the path starts there.
      break;
    }
    std::string parent = select.getColumn(0).getString();
    if (parent.empty()) break;
    path.push_back(std::move(parent));
  }
  if (path.size() > static_cast<size_t>(kMaxDirectoryDepth)) {
    return absl::InternalError("storage: the customer directory has a cycle");
  }
  std::reverse(path.begin(), path.end());
  return path;
}

absl::StatusOr<SessionKeys> KeysOf(const SessionInfo& session, const std::string& field_prefix) {
  if (session.account_id().empty()) {
    return FieldError(absl::StrCat(field_prefix, "account_id"), "required");
  }
  if (session.id().empty()) {
    return FieldError(absl::StrCat(field_prefix, "id"), "required");
  }
  SessionKeys keys;
  absl::StatusOr<absl::Time> created = ParseIsoTime(session.date_created());
  if (!created.ok()) {
    return FieldError(absl::StrCat(field_prefix, "date_created"), created.status().message());
  }
  keys.created_us = ToUnixMicrosSaturated(*created);
  keys.modified_us = std::numeric_limits<int64_t>::min();
  if (!session.date_last_modified().empty()) {
    absl::StatusOr<absl::Time> modified = ParseIsoTime(session.date_last_modified());
    if (!modified.ok()) {
      return FieldError(absl::StrCat(field_prefix, "date_last_modified"),
                        modified.status().message());
    }
    keys.modified_us = ToUnixMicrosSaturated(*modified);
  }
  return keys;
}

absl::StatusOr<std::vector<SessionRow>> PrepareRows(absl::Span<const SessionInfo> sessions) {
  std::vector<SessionRow> rows(sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    absl::StatusOr<SessionKeys> keys = KeysOf(sessions[i], absl::StrCat("sessions[", i, "]."));
    if (!keys.ok()) return keys.status();
    rows[i].session = &sessions[i];
    rows[i].keys = *keys;
    sessions[i].SerializeToString(&rows[i].data);
  }
  return rows;
}

absl::StatusOr<UpsertResult> UpsertSessionRows(SqliteConnection& conn,
                                               absl::Span<const SessionRow> rows,
                                               const SessionStore::UpsertAuthority& authority) {
  UpsertResult result;
  const SessionStore::StoredCheck& check = authority.check_stored;
  const bool trusted = authority.restricted_to_customer.empty();
  for (const SessionRow& row : rows) {
    if (!trusted) {
      RETURN_IF_ERROR(CheckRestrictedPath(conn, *row.session, authority.restricted_to_customer));
    }
    if (check) {
      absl::StatusOr<SessionInfo> stored =
          ReadStored(conn, row.session->account_id(), row.session->id());
      if (stored.ok()) {
        if (absl::Status allowed = check(*stored); !allowed.ok()) return allowed;
      } else if (stored.status().code() != absl::StatusCode::kNotFound) {
        return stored.status();
      }
    }
    if (const int64_t revision = WriteRow(conn, row, /*unless_stale=*/true); revision != 0) {
      ++result.applied;
      result.revision = revision;
      // Only what is written states the tree: a stale write is an older
      // state of it.
      if (trusted) RecordPath(conn, row.session->account_id(), ClaimedPath(*row.session));
    } else {
      ++result.stale;
    }
  }
  return result;
}

absl::StatusOr<int64_t> UpdateSessionRow(SqliteConnection& conn, const std::string& account_id,
                                         const std::string& session_id,
                                         const std::function<absl::Status(SessionInfo*)>& mutate) {
  absl::StatusOr<SessionInfo> stored = ReadStored(conn, account_id, session_id);
  if (!stored.ok()) return stored.status();
  SessionInfo& session = *stored;
  absl::Status status = mutate(&session);
  if (!status.ok()) return status;
  if (session.account_id() != account_id || session.id() != session_id) {
    return absl::InvalidArgumentError("an update must not change account_id or id");
  }
  absl::StatusOr<SessionKeys> keys = KeysOf(session, "");
  if (!keys.ok()) return keys.status();
  SessionRow row{&session, *keys, session.SerializeAsString()};
  return WriteRow(conn, row, /*unless_stale=*/false);
}

}  // namespace sessions
