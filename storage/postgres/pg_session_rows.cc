#include "storage/postgres/pg_session_rows.h"

#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

constexpr const char kSelectData[] = "SELECT data FROM sessions WHERE account_id = $1 AND id = $2";
// One statement: the row at the next revision, unless a stored row has a
// newer date_last_modified than $8 (the staleness rule; INT64_MAX: none).
// It returns the revision only when it wrote, so a stale write leaves the
// counter alone. The transaction holds store_state's row lock, so the
// counter cannot move under it.
constexpr const char kUpsertRow[] =
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data, "
    "revision, changed_us) "
    "SELECT $1, $2, $3, $4, $5, $6, $7, revision + 1, $9 FROM store_state WHERE id = 1 "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data, revision = excluded.revision, "
    "changed_us = excluded.changed_us "
    "WHERE sessions.modified_us <= $8 "
    "RETURNING revision";
constexpr const char kSetRevision[] = "UPDATE store_state SET revision = $1 WHERE id = 1";
constexpr const char kSelectListing[] =
    "SELECT customer_id, created_us FROM session_customers "
    "WHERE account_id = $1 AND session_id = $2";
constexpr const char kDeleteListing[] =
    "DELETE FROM session_customers WHERE account_id = $1 AND session_id = $2";
// One statement for the whole listing: the customers arrive as a text
// array.
constexpr const char kInsertListing[] =
    "INSERT INTO session_customers (account_id, customer_id, created_us, session_id) "
    "SELECT $1, c, $3, $4 FROM unnest($2::text[]) AS c ON CONFLICT DO NOTHING";
constexpr const char kParentOf[] =
    "SELECT parent_id FROM customers WHERE account_id = $1 AND customer_id = $2";
// Written only when the parent changed (no dead row for a known path).
constexpr const char kSetParent[] =
    "INSERT INTO customers (account_id, customer_id, parent_id) VALUES ($1, $2, $3) "
    "ON CONFLICT (account_id, customer_id) DO UPDATE SET parent_id = excluded.parent_id "
    "WHERE customers.parent_id <> excluded.parent_id";

// A text[] literal of `values`: {"a","b"} with " and \ escaped.
std::string TextArray(const std::vector<absl::string_view>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> PgSessionRows::ParentOf(const std::string& account_id,
                                                                   const std::string& customer_id) {
  ASSIGN_OR_RETURN(PgResult r, conn_.Exec("read customer directory", kParentOf,
                                          {PgParam::Text(account_id), PgParam::Text(customer_id)}));
  if (r.rows() == 0) return std::nullopt;
  return std::string(r.Value(0, 0));
}

absl::Status PgSessionRows::WriteParent(const std::string& account_id,
                                        const std::string& customer_id,
                                        const std::string& parent_id) {
  return conn_
      .Exec("write customer directory", kSetParent,
            {PgParam::Text(account_id), PgParam::Text(customer_id), PgParam::Text(parent_id)})
      .status();
}

absl::StatusOr<SessionInfo> PgSessionRows::ReadStored(const std::string& account_id,
                                                      const std::string& session_id) {
  ASSIGN_OR_RETURN(PgResult r, conn_.Exec("read session", kSelectData,
                                          {PgParam::Text(account_id), PgParam::Text(session_id)},
                                          PgResultFormat::kBinary));
  if (r.rows() == 0) return absl::NotFoundError("session not found");
  const absl::string_view data = r.Value(0, 0);
  SessionInfo session;
  if (!session.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::InternalError("storage: stored session is unreadable");
  }
  return session;
}

absl::StatusOr<int64_t> PgSessionRows::WriteRow(const SessionRow& row, bool unless_stale) {
  const SessionInfo& session = *row.session;
  const std::string created = absl::StrCat(row.keys.created_us);
  const std::string modified = absl::StrCat(row.keys.modified_us);
  const std::string stale_bound =
      absl::StrCat(unless_stale ? row.keys.modified_us : std::numeric_limits<int64_t>::max());
  const std::string changed = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  ASSIGN_OR_RETURN(
      PgResult written,
      conn_.Exec("write session", kUpsertRow,
                 {PgParam::Text(session.account_id()), PgParam::Text(session.id()),
                  PgParam::Text(session.customer_id()), PgParam::Text(created),
                  PgParam::Text(modified), PgParam::Text(session.ended() ? "true" : "false"),
                  PgParam::Bytes(row.data), PgParam::Text(stale_bound), PgParam::Text(changed)}));
  if (written.rows() == 0) return 0;  // stale: nothing written
  const int64_t revision = written.Int64(0, 0);
  RETURN_IF_ERROR(
      conn_.Exec("write session", kSetRevision, {PgParam::Text(absl::StrCat(revision))}).status());
  RETURN_IF_ERROR(WriteListing(row));
  return revision;
}

absl::Status PgSessionRows::WriteListing(const SessionRow& row) {
  const SessionInfo& session = *row.session;
  const PgParam account = PgParam::Text(session.account_id());
  const PgParam id = PgParam::Text(session.id());
  const std::vector<absl::string_view> listed = ListedCustomers(session);
  ASSIGN_OR_RETURN(PgResult entries, conn_.Exec("write session", kSelectListing, {account, id}));
  std::vector<ListingEntry> stored;
  stored.reserve(static_cast<size_t>(entries.rows()));
  for (int i = 0; i < entries.rows(); ++i) {
    stored.push_back(ListingEntry{std::string(entries.Value(i, 0)), entries.Int64(i, 1)});
  }
  if (ListingIsCurrent(listed, row.keys.created_us, stored)) return absl::OkStatus();
  if (!stored.empty()) {
    RETURN_IF_ERROR(conn_.Exec("write session", kDeleteListing, {account, id}).status());
  }
  if (listed.empty()) return absl::OkStatus();
  const std::string customers = TextArray(listed);
  const std::string created = absl::StrCat(row.keys.created_us);
  return conn_
      .Exec("write session", kInsertListing,
            {account, PgParam::Text(customers), PgParam::Text(created), id})
      .status();
}

}  // namespace sessions
