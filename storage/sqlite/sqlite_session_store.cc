#include "storage/sqlite/sqlite_session_store.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "SQLiteCpp/Transaction.h"
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/field_error.h"
#include "common/status_macros.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/session_rows.h"

namespace sessions {
namespace {

// Active listings. `ended = 0` must appear literally so that the planner
// may use the partial index sessions_active. Parameters:
// ?1 account, ?2 created_us lower bound, ?3/?4 keyset cursor (created_us, id),
// ?5 limit (-1: none), ?6 customer, ?7 the customer whose subtree bounds
// the listing (session_customers' primary key answers the EXISTS).
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
constexpr const char kListActiveByCustomerWithin[] =
    "SELECT s.data FROM session_customers AS c "
    "JOIN sessions AS s ON s.account_id = c.account_id AND s.id = c.session_id "
    "WHERE c.account_id = ?1 AND c.customer_id = ?6 AND c.created_us >= ?2 "
    "AND (c.created_us, c.session_id) > (?3, ?4) "
    "AND EXISTS (SELECT 1 FROM session_customers AS w WHERE w.account_id = ?1 "
    "AND w.customer_id = ?7 AND w.created_us = c.created_us AND w.session_id = c.session_id) "
    "ORDER BY c.created_us, c.session_id LIMIT ?5";
constexpr const char kGetSession[] = "SELECT data FROM sessions WHERE account_id = ?1 AND id = ?2";
constexpr const char kAllSessions[] =
    "SELECT data FROM sessions ORDER BY account_id, created_us, id";
// The change feed (schema migration 3). Columns: revision, account_id, id,
// ended, data.
constexpr const char kFeedState[] = "SELECT revision, horizon FROM store_state WHERE id = 1";
constexpr const char kAllActive[] =
    "SELECT revision, account_id, id, ended, data FROM sessions WHERE ended = 0 "
    "ORDER BY account_id, created_us, id";
constexpr const char kChangesAfter[] =
    "SELECT revision, account_id, id, ended, data FROM sessions WHERE revision > ?1 "
    "ORDER BY revision LIMIT ?2";
// Retention: the oldest ended rows first, a bounded batch per transaction so
// that writers queued behind the purge wait for one short transaction only.
// RETURNING: the horizon comes from exactly the rows deleted.
constexpr const char kDeleteExpired[] =
    "DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions "
    "WHERE ended = 1 AND changed_us < ?1 ORDER BY changed_us LIMIT ?2) RETURNING revision";
constexpr const char kRaiseHorizon[] =
    "UPDATE store_state SET horizon = max(horizon, ?1) WHERE id = 1";

const char* ActiveSql(const ActiveSessionsQuery& query) {
  if (query.listed_customer().empty()) return kListActive;
  return query.bounding_customer() == nullptr ? kListActiveByCustomer : kListActiveByCustomerWithin;
}

void BindActive(const ActiveSessionsQuery& query, SQLite::Statement& stmt) {
  const ActiveSessionsQuery::MicrosBounds bounds = query.Bounds();
  stmt.bindNoCopy(1, query.account_id);
  stmt.bind(2, static_cast<int64_t>(bounds.lower_us));
  stmt.bind(3, static_cast<int64_t>(bounds.cursor_us));
  stmt.bindNoCopy(4, query.after_id);
  stmt.bind(5, static_cast<int64_t>(query.limit > 0 ? query.limit : -1));
  if (!query.listed_customer().empty()) stmt.bindNoCopy(6, query.listed_customer());
  if (const std::string* bound = query.bounding_customer()) stmt.bindNoCopy(7, *bound);
}

bool ParseColumn(SQLite::Statement& stmt, SessionInfo* session) {
  SQLite::Column data = stmt.getColumn(0);
  return session->ParseFromArray(data.getBlob(), data.getBytes());
}

absl::Status Unreadable() { return absl::InternalError("storage: stored session is unreadable"); }

absl::string_view TextColumn(const SQLite::Column& column) {
  return absl::string_view(static_cast<const char*>(column.getText()),
                           static_cast<size_t>(column.getBytes()));
}

// Visits the rows of a feed statement (kAllActive, kChangesAfter); returns
// the number visited and the last revision.
absl::StatusOr<std::pair<int, int64_t>> VisitFeedRows(SQLite::Statement& stmt,
                                                      const SessionStore::ChangeVisitor& visit) {
  int visited = 0;
  int64_t last_revision = 0;
  while (stmt.executeStep()) {
    SessionChange change;
    change.revision = stmt.getColumn(0).getInt64();
    change.account_id = TextColumn(stmt.getColumn(1));
    change.session_id = TextColumn(stmt.getColumn(2));
    change.ended = stmt.getColumn(3).getInt() != 0;
    SQLite::Column data = stmt.getColumn(4);
    change.data = absl::string_view(static_cast<const char*>(data.getBlob()),
                                    static_cast<size_t>(data.getBytes()));
    RETURN_IF_ERROR(visit(change));
    ++visited;
    last_revision = change.revision;
  }
  return std::make_pair(visited, last_revision);
}

FeedPosition ReadFeedState(SqliteConnection& conn) {
  SQLite::Statement& state = conn.Prepare(kFeedState);
  absl::Cleanup reset = [&state] { state.tryReset(); };
  if (!state.executeStep()) throw SQLite::Exception("store_state has no row");
  return FeedPosition{state.getColumn(0).getInt64(), state.getColumn(1).getInt64()};
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteSessionStore>> SqliteSessionStore::Open(
    const std::string& path, const Options& options) {
  ConnectionOptions write_options;
  write_options.busy_timeout_ms = options.busy_timeout_ms;
  write_options.vfs = options.vfs;
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
                   WalCheckpointer::Start(*writer, path, write_options, options.checkpoints));
  auto store = std::unique_ptr<SqliteSessionStore>(new SqliteSessionStore(
      options, std::move(readers), std::move(checkpointer),
      std::make_unique<SqliteGroupCommitWriter>(SqliteTransactions(std::move(writer)),
                                                options.max_batch, options.max_queued_writes)));
  if (options.retention.purge_interval > absl::ZeroDuration()) {
    SqliteSessionStore* self = store.get();
    store->purger_.emplace("store-purge", options.retention.purge_interval,
                           options.retention.purge_batch, [self] { return self->PurgeExpired(); });
  }
  return store;
}

SqliteSessionStore::SqliteSessionStore(const Options& options,
                                       std::unique_ptr<ConnectionPool> readers,
                                       std::unique_ptr<WalCheckpointer> checkpointer,
                                       std::unique_ptr<SqliteGroupCommitWriter> writer)
    : readers_(std::move(readers)),
      checkpointer_(std::move(checkpointer)),
      writer_(std::move(writer)),
      writes_(writer_.get()),
      retention_(options.retention) {}

SqliteSessionStore::~SqliteSessionStore() { Close(); }

void SqliteSessionStore::Close() {
  // First: a purge pass queues writes and reads nothing else.
  if (purger_) purger_->Stop();
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
  return writes_.UpsertSessions(sessions);
}

void SqliteSessionStore::UpsertSessionsAsync(std::vector<SessionInfo> sessions,
                                             UpsertAuthority authority, UpsertCallback done) {
  writes_.UpsertSessionsAsync(std::move(sessions), std::move(authority), std::move(done));
}

void SqliteSessionStore::UpsertSessionAsync(const SessionInfo& session, UpsertAuthority authority,
                                            UpsertCallback done) {
  writes_.UpsertSessionAsync(session, std::move(authority), std::move(done));
}

absl::StatusOr<std::vector<std::string>> SqliteSessionStore::CustomerPath(
    const std::string& account_id, const std::string& customer_id) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("customer path", [&]() -> absl::StatusOr<std::vector<std::string>> {
    SqliteSessionRows directory(*conn);
    return DirectoryPath(directory, account_id, customer_id);
  });
}

absl::Status SqliteSessionStore::SetCustomerParent(const std::string& account_id,
                                                   const std::string& customer_id,
                                                   const std::string& parent_id) {
  return writes_.SetCustomerParent(account_id, customer_id, parent_id);
}

absl::StatusOr<int64_t> SqliteSessionStore::UpdateSession(
    const std::string& account_id, const std::string& session_id,
    const std::function<absl::Status(SessionInfo*)>& mutate) {
  return writes_.UpdateSession(account_id, session_id, mutate);
}

void SqliteSessionStore::UpdateSessionAsync(std::string account_id, std::string session_id,
                                            MutateFn mutate, RevisionCallback done) {
  writes_.UpdateSessionAsync(std::move(account_id), std::move(session_id), std::move(mutate),
                             std::move(done));
}

absl::StatusOr<FeedPosition> SqliteSessionStore::ListActiveChanges(const ChangeVisitor& visit) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("list active sessions", [&]() -> absl::StatusOr<FeedPosition> {
    // One read transaction: the rows and the revision come from one snapshot.
    SQLite::Transaction snapshot(conn->db(), SQLite::TransactionBehavior::DEFERRED);
    const FeedPosition position = ReadFeedState(*conn);
    SQLite::Statement& stmt = conn->Prepare(kAllActive);
    RETURN_IF_ERROR(VisitFeedRows(stmt, visit).status());
    snapshot.commit();
    return position;
  });
}

absl::StatusOr<FeedPosition> SqliteSessionStore::ChangesAfter(int64_t after_revision, int limit,
                                                              const ChangeVisitor& visit) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("read changes", [&]() -> absl::StatusOr<FeedPosition> {
    SQLite::Transaction snapshot(conn->db(), SQLite::TransactionBehavior::DEFERRED);
    FeedPosition position = ReadFeedState(*conn);
    if (after_revision < position.horizon) {
      return absl::OutOfRangeError(absl::StrCat("revision ", after_revision,
                                                " is older than the compaction horizon ",
                                                position.horizon, "; list again"));
    }
    SQLite::Statement& stmt = conn->Prepare(kChangesAfter);
    stmt.bind(1, static_cast<int64_t>(after_revision));
    stmt.bind(2, static_cast<int64_t>(limit > 0 ? limit : -1));
    ASSIGN_OR_RETURN(const auto visited, VisitFeedRows(stmt, visit));
    if (limit > 0 && visited.first == limit) position.revision = visited.second;
    snapshot.commit();
    return position;
  });
}

absl::StatusOr<int> SqliteSessionStore::PurgeExpired() {
  const int64_t cutoff_us = absl::ToUnixMicros(absl::Now() - retention_.keep_ended);
  int purged = 0;
  RETURN_IF_ERROR(writer_->Run([&](SqliteConnection& conn) -> absl::Status {
    SQLite::Statement& remove = conn.Prepare(kDeleteExpired);
    absl::Cleanup reset = [&remove] { remove.tryReset(); };
    remove.bind(1, static_cast<int64_t>(cutoff_us));
    remove.bind(2, static_cast<int64_t>(retention_.purge_batch));
    int64_t max_revision = 0;
    while (remove.executeStep()) {
      ++purged;
      max_revision = std::max(max_revision, remove.getColumn(0).getInt64());
    }
    if (purged == 0) return absl::OkStatus();
    SQLite::Statement& horizon = conn.Prepare(kRaiseHorizon);
    horizon.bind(1, static_cast<int64_t>(max_revision));
    horizon.exec();
    return absl::OkStatus();
  }));
  return purged;
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
