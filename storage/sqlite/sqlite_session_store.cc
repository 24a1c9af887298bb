#include "storage/sqlite/sqlite_session_store.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/session_rows.h"

namespace sessions {
namespace {

// Active listings. `ended = 0` must appear literally so that the planner
// may use the partial index sessions_active. Parameters:
// ?1 account, ?2 created_us lower bound, ?3/?4 keyset cursor (created_us, id),
// ?5 limit (-1: none), ?6 customer.
constexpr const char kListActive[] =
    "SELECT data FROM sessions "
    "WHERE account_id = ?1 AND ended = 0 AND created_us >= ?2 AND (created_us, id) > (?3, ?4) "
    "ORDER BY created_us, id LIMIT ?5";
constexpr const char kListActiveByCustomer[] =
    "SELECT s.data FROM session_customers AS c "
    "JOIN sessions AS s ON s.account_id = c.account_id AND s.id = c.session_id "
    "WHERE c.account_id = ?1 AND c.customer_id = ?6 AND c.created_us >= ?2 "
    "AND (c.created_us, c.session_id) > (?3, ?4) "
    "ORDER BY c.created_us, c.session_id LIMIT ?5";
constexpr const char kGetSession[] = "SELECT data FROM sessions WHERE account_id = ?1 AND id = ?2";
constexpr const char kAllSessions[] =
    "SELECT data FROM sessions ORDER BY account_id, created_us, id";

const char* ActiveSql(const ActiveSessionsQuery& query) {
  return query.customer_id.empty() ? kListActive : kListActiveByCustomer;
}

void BindActive(const ActiveSessionsQuery& query, SQLite::Statement& stmt) {
  const bool paging = !query.after_id.empty();
  // Without a cursor, (INT64_MIN, '') precedes every row (ids are non-empty).
  const int64_t cursor_us =
      ToUnixMicrosSaturated(paging ? query.after_created : absl::InfinitePast());
  // Rows after the cursor have created_us >= cursor_us: binding the larger
  // of the two lower bounds lets the index range start at the right place
  // whichever bound the planner uses.
  const int64_t lower_us = std::max(ToUnixMicrosSaturated(query.created_at_or_after), cursor_us);
  stmt.bindNoCopy(1, query.account_id);
  stmt.bind(2, static_cast<int64_t>(lower_us));
  stmt.bind(3, static_cast<int64_t>(cursor_us));
  stmt.bindNoCopy(4, query.after_id);
  stmt.bind(5, static_cast<int64_t>(query.limit > 0 ? query.limit : -1));
  if (!query.customer_id.empty()) stmt.bindNoCopy(6, query.customer_id);
}

bool ParseColumn(SQLite::Statement& stmt, SessionInfo* session) {
  SQLite::Column data = stmt.getColumn(0);
  return session->ParseFromArray(data.getBlob(), data.getBytes());
}

absl::Status Unreadable() { return absl::InternalError("storage: stored session is unreadable"); }

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteSessionStore>> SqliteSessionStore::Open(
    const std::string& path, const Options& options) {
  ConnectionOptions write_options;
  write_options.busy_timeout_ms = options.busy_timeout_ms;
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> writer,
                   SqliteConnection::Open(path, write_options));
  absl::Status migrated = Schema::Migrate(*writer);
  if (!migrated.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open database ", path, ": ", migrated.message()));
  }
  ConnectionOptions read_options = write_options;
  read_options.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> readers,
                   ConnectionPool::Open(path, options.read_connections, read_options));
  // Before the writer thread owns the connection: installs its WAL hook.
  ASSIGN_OR_RETURN(std::unique_ptr<WalCheckpointer> checkpointer,
                   WalCheckpointer::Start(*writer, path, options.checkpoints));
  return std::unique_ptr<SqliteSessionStore>(new SqliteSessionStore(
      std::move(readers), std::move(checkpointer),
      std::make_unique<GroupCommitWriter>(std::move(writer), options.max_batch)));
}

SqliteSessionStore::SqliteSessionStore(std::unique_ptr<ConnectionPool> readers,
                                       std::unique_ptr<WalCheckpointer> checkpointer,
                                       std::unique_ptr<GroupCommitWriter> writer)
    : readers_(std::move(readers)),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)) {}

SqliteSessionStore::~SqliteSessionStore() { Close(); }

void SqliteSessionStore::Close() {
  readers_->Close();
  checkpointer_->Stop();
  // Last, so the writer connection is the one that checkpoints the WAL
  // (and removes it) as it closes.
  writer_->Close();
}

absl::Status SqliteSessionStore::ListActiveSessions(
    const ActiveSessionsQuery& query, google::protobuf::RepeatedPtrField<SessionInfo>* out) {
  if (query.account_id.empty()) return FieldError("account_id", "required");
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  const int initial_size = out->size();
  absl::Status status = CatchSqlite("list active sessions", [&]() -> absl::Status {
    SQLite::Statement& stmt = conn->Prepare(ActiveSql(query));
    BindActive(query, stmt);
    while (stmt.executeStep()) {
      if (!ParseColumn(stmt, out->Add())) return Unreadable();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) out->DeleteSubrange(initial_size, out->size() - initial_size);
  return status;
}

absl::StatusOr<SessionInfo> SqliteSessionStore::GetSession(const std::string& account_id,
                                                           const std::string& session_id) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("get session", [&]() -> absl::StatusOr<SessionInfo> {
    SQLite::Statement& stmt = conn->Prepare(kGetSession);
    stmt.bindNoCopy(1, account_id);
    stmt.bindNoCopy(2, session_id);
    if (!stmt.executeStep()) return absl::NotFoundError("session not found");
    SessionInfo session;
    if (!ParseColumn(stmt, &session)) return Unreadable();
    return session;
  });
}

absl::Status SqliteSessionStore::ForEachSession(
    const std::function<absl::Status(const SessionInfo&)>& visit) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("list sessions", [&]() -> absl::Status {
    SQLite::Statement& stmt = conn->Prepare(kAllSessions);
    SessionInfo session;
    while (stmt.executeStep()) {
      if (!ParseColumn(stmt, &session)) return Unreadable();
      RETURN_IF_ERROR(visit(session));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<UpsertResult> SqliteSessionStore::UpsertSessions(
    absl::Span<const SessionInfo> sessions) {
  ASSIGN_OR_RETURN(const std::vector<SessionRow> rows, PrepareRows(sessions));
  // The caller blocks until done, so the op may refer to its arguments.
  UpsertResult result;
  RETURN_IF_ERROR(writer_->Run([&](SqliteConnection& conn) -> absl::Status {
    result = UpsertSessionRows(conn, rows);
    return absl::OkStatus();
  }));
  return result;
}

void SqliteSessionStore::SubmitUpsert(std::shared_ptr<PendingUpsert> upsert) {
  writer_->Submit(
      [upsert](SqliteConnection& conn) -> absl::Status {
        upsert->result = UpsertSessionRows(conn, upsert->rows);
        return absl::OkStatus();
      },
      [upsert](absl::Status status) {
        if (status.ok()) {
          upsert->done(upsert->result);
        } else {
          upsert->done(std::move(status));
        }
      });
}

void SqliteSessionStore::UpsertSessionsAsync(std::vector<SessionInfo> sessions,
                                             UpsertCallback done) {
  auto upsert = std::make_shared<PendingUpsert>();
  upsert->sessions = std::move(sessions);
  absl::StatusOr<std::vector<SessionRow>> rows = PrepareRows(upsert->sessions);
  if (!rows.ok()) return done(rows.status());
  upsert->rows = *std::move(rows);
  upsert->done = std::move(done);
  SubmitUpsert(std::move(upsert));
}

void SqliteSessionStore::UpsertSessionAsync(const SessionInfo& session, UpsertCallback done) {
  // `session` outlives the write (caller's contract): no copy of it.
  auto upsert = std::make_shared<PendingUpsert>();
  absl::StatusOr<std::vector<SessionRow>> rows = PrepareRows(absl::MakeConstSpan(&session, 1));
  if (!rows.ok()) return done(rows.status());
  upsert->rows = *std::move(rows);
  upsert->done = std::move(done);
  SubmitUpsert(std::move(upsert));
}

absl::Status SqliteSessionStore::UpdateSession(
    const std::string& account_id, const std::string& session_id,
    const std::function<absl::Status(SessionInfo*)>& mutate) {
  return writer_->Run([&](SqliteConnection& conn) {
    return UpdateSessionRow(conn, account_id, session_id, mutate);
  });
}

void SqliteSessionStore::UpdateSessionAsync(std::string account_id, std::string session_id,
                                            MutateFn mutate, DoneCallback done) {
  writer_->Submit(
      [account_id = std::move(account_id), session_id = std::move(session_id),
       mutate = std::move(mutate)](SqliteConnection& conn) {
        return UpdateSessionRow(conn, account_id, session_id, mutate);
      },
      std::move(done));
}

absl::StatusOr<std::vector<std::string>> SqliteSessionStore::ExplainActiveQuery(
    const ActiveSessionsQuery& query) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("explain", [&]() -> absl::StatusOr<std::vector<std::string>> {
    SQLite::Statement stmt(conn->db(), absl::StrCat("EXPLAIN QUERY PLAN ", ActiveSql(query)));
    BindActive(query, stmt);
    std::vector<std::string> plan;
    while (stmt.executeStep()) plan.push_back(stmt.getColumn(3).getString());
    return plan;
  });
}

}  // namespace sessions
