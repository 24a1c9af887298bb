#include "storage/session_rows.h"

#include <limits>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "storage/iso_time.h"

namespace sessions {
namespace {

constexpr const char kSelectModified[] =
    "SELECT modified_us FROM sessions WHERE account_id = ?1 AND id = ?2";
constexpr const char kSelectData[] = "SELECT data FROM sessions WHERE account_id = ?1 AND id = ?2";
constexpr const char kUpsertRow[] =
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data";
constexpr const char kDeleteCustomers[] =
    "DELETE FROM session_customers WHERE account_id = ?1 AND session_id = ?2";
constexpr const char kInsertCustomer[] =
    "INSERT OR IGNORE INTO session_customers (account_id, customer_id, created_us, session_id) "
    "VALUES (?1, ?2, ?3, ?4)";

void InsertCustomer(SqliteConnection& conn, const SessionInfo& session, const SessionKeys& keys,
                    const std::string& customer_id) {
  if (customer_id.empty()) return;
  SQLite::Statement& insert = conn.Prepare(kInsertCustomer);
  insert.bindNoCopy(1, session.account_id());
  insert.bindNoCopy(2, customer_id);
  insert.bind(3, static_cast<int64_t>(keys.created_us));
  insert.bindNoCopy(4, session.id());
  insert.exec();
}

// Writes the row and its session_customers entries (none once ended).
void WriteRow(SqliteConnection& conn, const SessionInfo& session, const SessionKeys& keys) {
  const std::string data = session.SerializeAsString();
  SQLite::Statement& upsert = conn.Prepare(kUpsertRow);
  upsert.bindNoCopy(1, session.account_id());
  upsert.bindNoCopy(2, session.id());
  upsert.bindNoCopy(3, session.customer_id());
  upsert.bind(4, static_cast<int64_t>(keys.created_us));
  upsert.bind(5, static_cast<int64_t>(keys.modified_us));
  upsert.bind(6, session.ended() ? 1 : 0);
  upsert.bindNoCopy(7, data.data(), static_cast<int>(data.size()));
  upsert.exec();

  SQLite::Statement& clear = conn.Prepare(kDeleteCustomers);
  clear.bindNoCopy(1, session.account_id());
  clear.bindNoCopy(2, session.id());
  clear.exec();
  if (session.ended()) return;
  InsertCustomer(conn, session, keys, session.customer_id());
  for (const auto& crumb : session.customer_breadcrumb()) {
    InsertCustomer(conn, session, keys, crumb.id());
  }
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

    SQLite::Statement& select = conn.Prepare(kSelectModified);
    absl::Cleanup reset = [&select] { select.tryReset(); };
    select.bindNoCopy(1, session.account_id());
    select.bindNoCopy(2, session.id());
    if (select.executeStep() && keys->modified_us < select.getColumn(0).getInt64()) {
      ++result.stale;
      continue;
    }
    select.tryReset();
    WriteRow(conn, session, *keys);
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
  WriteRow(conn, session, *keys);
  return absl::OkStatus();
}

}  // namespace sessions
