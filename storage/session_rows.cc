#include "storage/session_rows.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/iso_time.h"

namespace sessions {
namespace {

constexpr const char kSelectData[] = "SELECT data FROM sessions WHERE account_id = ?1 AND id = ?2";
constexpr const char kUpsertRow[] =
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data";
// The same, but an existing row is replaced only if the new
// date_last_modified is equal or newer (the staleness rule); a skipped
// update changes no row.
constexpr const char kUpsertRowIfNotStale[] =
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data "
    "WHERE excluded.modified_us >= sessions.modified_us";
constexpr const char kDeleteCustomers[] =
    "DELETE FROM session_customers WHERE account_id = ?1 AND session_id = ?2";
constexpr const char kInsertCustomer[] =
    "INSERT OR IGNORE INTO session_customers (account_id, customer_id, created_us, session_id) "
    "VALUES (?1, ?2, ?3, ?4)";
// Covered by session_customers_by_session (its entries carry the primary key).
constexpr const char kSelectCustomers[] =
    "SELECT customer_id, created_us FROM session_customers "
    "WHERE account_id = ?1 AND session_id = ?2";

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

// Writes the row and its session_customers entries (none once ended).
// With `unless_stale`, an existing row with a newer date_last_modified is
// left alone and false is returned.
bool WriteRow(SqliteConnection& conn, const SessionInfo& session, const SessionKeys& keys,
              bool unless_stale) {
  // Only the writer thread writes rows: one buffer, reused.
  static thread_local std::string data;
  session.SerializeToString(&data);
  SQLite::Statement& upsert = conn.Prepare(unless_stale ? kUpsertRowIfNotStale : kUpsertRow);
  upsert.bindNoCopy(1, session.account_id());
  upsert.bindNoCopy(2, session.id());
  upsert.bindNoCopy(3, session.customer_id());
  upsert.bind(4, static_cast<int64_t>(keys.created_us));
  upsert.bind(5, static_cast<int64_t>(keys.modified_us));
  upsert.bind(6, session.ended() ? 1 : 0);
  upsert.bindNoCopy(7, data.data(), static_cast<int>(data.size()));
  if (upsert.exec() == 0) return false;  // stale: nothing written

  // The customer path rarely changes between updates of a session: leave
  // its entries alone when they are already right.
  const std::vector<const std::string*> path = CustomerPath(session);
  bool any_stored = false;
  if (StoredPathIs(conn, session, path, keys.created_us, &any_stored)) return true;
  if (any_stored) {
    SQLite::Statement& clear = conn.Prepare(kDeleteCustomers);
    clear.bindNoCopy(1, session.account_id());
    clear.bindNoCopy(2, session.id());
    clear.exec();
  }
  for (const std::string* customer_id : path) InsertCustomer(conn, session, keys, *customer_id);
  return true;
}

}  // namespace

absl::StatusOr<SessionKeys> KeysOf(const SessionInfo& session, const std::string& field_prefix) {
  if (session.account_id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field_prefix, "account_id: required"));
  }
  if (session.id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field_prefix, "id: required"));
  }
  SessionKeys keys;
  absl::StatusOr<absl::Time> created = ParseIsoTime(session.date_created());
  if (!created.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field_prefix, "date_created: ", created.status().message()));
  }
  keys.created_us = ToUnixMicrosSaturated(*created);
  keys.modified_us = std::numeric_limits<int64_t>::min();
  if (!session.date_last_modified().empty()) {
    absl::StatusOr<absl::Time> modified = ParseIsoTime(session.date_last_modified());
    if (!modified.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_prefix, "date_last_modified: ", modified.status().message()));
    }
    keys.modified_us = ToUnixMicrosSaturated(*modified);
  }
  return keys;
}

absl::StatusOr<UpsertResult> UpsertSessionRows(SqliteConnection& conn,
                                               absl::Span<const SessionInfo> sessions) {
  UpsertResult result;
  for (size_t i = 0; i < sessions.size(); ++i) {
    const SessionInfo& session = sessions[i];
    absl::StatusOr<SessionKeys> keys = KeysOf(session, absl::StrCat("sessions[", i, "]."));
    if (!keys.ok()) return keys.status();

    if (!WriteRow(conn, session, *keys, /*unless_stale=*/true)) {
      ++result.stale;
      continue;
    }
    ++result.applied;
  }
  return result;
}

absl::Status UpdateSessionRow(SqliteConnection& conn, const std::string& account_id,
                              const std::string& session_id,
                              const std::function<absl::Status(SessionInfo*)>& mutate) {
  SessionInfo session;
  {
    SQLite::Statement& select = conn.Prepare(kSelectData);
    absl::Cleanup reset = [&select] { select.tryReset(); };
    select.bindNoCopy(1, account_id);
    select.bindNoCopy(2, session_id);
    if (!select.executeStep()) return absl::NotFoundError("session not found");
    SQLite::Column data = select.getColumn(0);
    if (!session.ParseFromArray(data.getBlob(), data.getBytes())) {
      return absl::InternalError("storage: stored session is unreadable");
    }
  }
  absl::Status status = mutate(&session);
  if (!status.ok()) return status;
  if (session.account_id() != account_id || session.id() != session_id) {
    return absl::InvalidArgumentError("an update must not change account_id or id");
  }
  absl::StatusOr<SessionKeys> keys = KeysOf(session, "");
  if (!keys.ok()) return keys.status();
  WriteRow(conn, session, *keys, /*unless_stale=*/false);
  return absl::OkStatus();
}

}  // namespace sessions
