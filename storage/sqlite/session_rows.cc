#include "storage/sqlite/session_rows.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"

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

// The session's stored session_customers entries.
std::vector<ListingEntry> StoredListing(SqliteConnection& conn, const SessionInfo& session) {
  SQLite::Statement& select = conn.Prepare(kSelectCustomers);
  absl::Cleanup reset = [&select] { select.tryReset(); };
  select.bindNoCopy(1, session.account_id());
  select.bindNoCopy(2, session.id());
  std::vector<ListingEntry> stored;
  while (select.executeStep()) {
    stored.push_back(ListingEntry{select.getColumn(0).getString(), select.getColumn(1).getInt64()});
  }
  return stored;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> SqliteSessionRows::ParentOf(
    const std::string& account_id, const std::string& customer_id) {
  SQLite::Statement& select = conn_.Prepare(kParentOf);
  absl::Cleanup reset = [&select] { select.tryReset(); };
  select.bindNoCopy(1, account_id);
  select.bindNoCopy(2, customer_id);
  if (!select.executeStep()) return std::nullopt;
  return select.getColumn(0).getString();
}

absl::Status SqliteSessionRows::WriteParents(const std::string& account_id,
                                             absl::Span<const CustomerParent> entries) {
  // One statement each: SQLite runs in-process, a statement costs no round
  // trip.
  for (const CustomerParent& entry : entries) {
    SQLite::Statement& set = conn_.Prepare(kSetParent);
    absl::Cleanup reset = [&set] { set.tryReset(); };
    set.bindNoCopy(1, account_id);
    set.bindNoCopy(2, entry.customer_id);
    set.bindNoCopy(3, entry.parent_id);
    set.exec();
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionInfo> SqliteSessionRows::ReadStored(const std::string& account_id,
                                                          const std::string& session_id) {
  SQLite::Statement& select = conn_.Prepare(kSelectData);
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

absl::StatusOr<int64_t> SqliteSessionRows::WriteRow(const SessionRow& row, bool unless_stale) {
  const int64_t stale_bound_us =
      unless_stale ? row.keys.modified_us : std::numeric_limits<int64_t>::max();
  const int64_t revision = NextRevision(conn_);
  const int64_t changed_us = absl::ToUnixMicros(absl::Now());
  if (ExecRowWrite(conn_, kUpdateSameKeys, row, stale_bound_us, revision, changed_us) == 0 &&
      ExecRowWrite(conn_, kUpsertRow, row, stale_bound_us, revision, changed_us) == 0) {
    return 0;  // stale: nothing written, the revision stays unused
  }
  SQLite::Statement& set_revision = conn_.Prepare(kSetRevision);
  set_revision.bind(1, static_cast<int64_t>(revision));
  set_revision.exec();

  const SessionInfo& session = *row.session;
  const std::vector<absl::string_view> listed = ListedCustomers(session);
  const std::vector<ListingEntry> stored = StoredListing(conn_, session);
  if (ListingIsCurrent(listed, row.keys.created_us, stored)) return revision;
  if (!stored.empty()) {
    SQLite::Statement& clear = conn_.Prepare(kDeleteCustomers);
    clear.bindNoCopy(1, session.account_id());
    clear.bindNoCopy(2, session.id());
    clear.exec();
  }
  for (const absl::string_view customer_id : listed) {
    SQLite::Statement& insert = conn_.Prepare(kInsertCustomer);
    insert.bindNoCopy(1, session.account_id());
    insert.bind(2, std::string(customer_id));  // TEXT (a blob would never match)
    insert.bind(3, static_cast<int64_t>(row.keys.created_us));
    insert.bindNoCopy(4, session.id());
    insert.exec();
  }
  return revision;
}

}  // namespace sessions
