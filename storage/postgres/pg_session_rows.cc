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
// One statement and one round trip per written row: the row at the next
// revision unless a stored row has a newer date_last_modified than $8 (the
// staleness rule; INT64_MAX: none), the counter moved to that revision
// only when it wrote (a stale write takes none), and the session's stored
// listing entries (one result row each; one row with NULLs when there is
// none; no row when stale). The transaction holds store_state's row lock,
// so the counter cannot move under it. (All parts see one snapshot: the
// listing read is of the entries before this write.)
constexpr const char kWriteRow[] =
    "WITH written AS ("
    "INSERT INTO sessions (account_id, id, customer_id, created_us, modified_us, ended, data, "
    "revision, changed_us) "
    "SELECT $1, $2, $3, $4, $5, $6, $7, revision + 1, $9 FROM store_state WHERE id = 1 "
    "ON CONFLICT (account_id, id) DO UPDATE SET customer_id = excluded.customer_id, "
    "created_us = excluded.created_us, modified_us = excluded.modified_us, "
    "ended = excluded.ended, data = excluded.data, revision = excluded.revision, "
    "changed_us = excluded.changed_us "
    "WHERE sessions.modified_us <= $8 "
    "RETURNING revision), "
    "bumped AS (UPDATE store_state SET revision = written.revision FROM written "
    "WHERE store_state.id = 1) "
    "SELECT w.revision, c.customer_id, c.created_us FROM written AS w "
    "LEFT JOIN session_customers AS c ON c.account_id = $1 AND c.session_id = $2";
// The listing made `$2` (a text[]) at $3 in one statement: entries not in
// it go, missing ones come (those kept conflict and stay).
constexpr const char kReplaceListing[] =
    "WITH gone AS (DELETE FROM session_customers WHERE account_id = $1 AND session_id = $4 "
    "AND NOT (created_us = $3 AND customer_id = ANY ($2::text[]))) "
    "INSERT INTO session_customers (account_id, customer_id, created_us, session_id) "
    "SELECT $1, c, $3, $4 FROM unnest($2::text[]) AS c ON CONFLICT DO NOTHING";
constexpr const char kParentOf[] =
    "SELECT parent_id FROM customers WHERE account_id = $1 AND customer_id = $2";
// A whole path in one statement (customers and parents as two text[]);
// each entry written only when its parent changed (no dead row for a known
// path).
constexpr const char kSetParents[] =
    "INSERT INTO customers (account_id, customer_id, parent_id) "
    "SELECT $1, c, p FROM unnest($2::text[], $3::text[]) AS t (c, p) "
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

absl::Status PgSessionRows::WriteParents(const std::string& account_id,
                                         absl::Span<const CustomerParent> entries) {
  if (entries.empty()) return absl::OkStatus();
  std::vector<absl::string_view> customers, parents;
  for (const CustomerParent& entry : entries) {
    customers.push_back(entry.customer_id);
    parents.push_back(entry.parent_id);
  }
  const std::string customer_array = TextArray(customers);
  const std::string parent_array = TextArray(parents);
  return conn_
      .Exec("write customer directory", kSetParents,
            {PgParam::Text(account_id), PgParam::Text(customer_array), PgParam::Text(parent_array)})
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
      conn_.Exec("write session", kWriteRow,
                 {PgParam::Text(session.account_id()), PgParam::Text(session.id()),
                  PgParam::Text(session.customer_id()), PgParam::Text(created),
                  PgParam::Text(modified), PgParam::Text(session.ended() ? "true" : "false"),
                  PgParam::Bytes(row.data), PgParam::Text(stale_bound), PgParam::Text(changed)}));
  if (written.rows() == 0) return 0;  // stale: nothing written
  std::vector<ListingEntry> stored;
  for (int i = 0; i < written.rows(); ++i) {
    if (written.IsNull(i, 1)) continue;  // no entries
    stored.push_back(ListingEntry{std::string(written.Value(i, 1)), written.Int64(i, 2)});
  }
  const std::vector<absl::string_view> listed = ListedCustomers(session);
  if (!ListingIsCurrent(listed, row.keys.created_us, stored)) {
    const std::string customers = TextArray(listed);
    RETURN_IF_ERROR(conn_
                        .Exec("write session", kReplaceListing,
                              {PgParam::Text(session.account_id()), PgParam::Text(customers),
                               PgParam::Text(created), PgParam::Text(session.id())})
                        .status());
  }
  return written.Int64(0, 0);
}

}  // namespace sessions
