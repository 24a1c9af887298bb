#include "storage/postgres/pg_session_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/field_error.h"
#include "common/status_macros.h"
#include "storage/postgres/pg_schema.h"
#include "storage/postgres/pg_session_rows.h"
#include "storage/postgres/pg_transactions.h"

namespace sessions {
namespace {

// Active listings (the SQLite store's statements; `NOT ended` lets the
// planner use the partial index sessions_active). Parameters: $1 account,
// $2 created_us lower bound, $3/$4 keyset cursor (created_us, id), $5 limit
// (NULL: none), $6 customer, $7 the customer whose subtree bounds the
// listing.
constexpr const char kListActive[] =
    "SELECT data FROM sessions "
    "WHERE account_id = $1 AND NOT ended AND created_us >= $2 AND (created_us, id) > ($3, $4) "
    "ORDER BY created_us, id LIMIT $5";
constexpr const char kListActiveByCustomer[] =
    "SELECT s.data FROM session_customers AS c "
    "JOIN sessions AS s ON s.account_id = c.account_id AND s.id = c.session_id "
    "WHERE c.account_id = $1 AND c.customer_id = $6 AND c.created_us >= $2 "
    "AND (c.created_us, c.session_id) > ($3, $4) "
    "ORDER BY c.created_us, c.session_id LIMIT $5";
constexpr const char kListActiveByCustomerWithin[] =
    "SELECT s.data FROM session_customers AS c "
    "JOIN sessions AS s ON s.account_id = c.account_id AND s.id = c.session_id "
    "WHERE c.account_id = $1 AND c.customer_id = $6 AND c.created_us >= $2 "
    "AND (c.created_us, c.session_id) > ($3, $4) "
    "AND EXISTS (SELECT 1 FROM session_customers AS w WHERE w.account_id = $1 "
    "AND w.customer_id = $7 AND w.created_us = c.created_us AND w.session_id = c.session_id) "
    "ORDER BY c.created_us, c.session_id LIMIT $5";
constexpr const char kGetSession[] = "SELECT data FROM sessions WHERE account_id = $1 AND id = $2";
constexpr const char kAllSessions[] =
    "SELECT data FROM sessions ORDER BY account_id, created_us, id";
constexpr const char kFeedState[] = "SELECT revision, horizon FROM store_state WHERE id = 1";
// Feed columns: revision, account_id, id, ended, data.
constexpr const char kAllActive[] =
    "SELECT revision, account_id, id, ended, data FROM sessions WHERE NOT ended "
    "ORDER BY account_id, created_us, id";
constexpr const char kChangesAfter[] =
    "SELECT revision, account_id, id, ended, data FROM sessions WHERE revision > ";
// Retention, as in the SQLite store: a bounded batch of the oldest ended
// rows, and the horizon from exactly the rows deleted.
constexpr const char kDeleteExpired[] =
    "WITH gone AS (DELETE FROM sessions WHERE (account_id, id) IN (SELECT account_id, id "
    "FROM sessions WHERE ended AND changed_us < $1 ORDER BY changed_us LIMIT $2) "
    "RETURNING revision) SELECT count(*), coalesce(max(revision), 0) FROM gone";
constexpr const char kRaiseHorizon[] =
    "UPDATE store_state SET horizon = greatest(horizon, $1) WHERE id = 1";

absl::Status Unreadable() { return absl::InternalError("storage: stored session is unreadable"); }

bool ParseData(absl::string_view data, SessionInfo* session) {
  return session->ParseFromArray(data.data(), static_cast<int>(data.size()));
}

SessionChange ChangeAt(const PgResult& r, int row) {
  SessionChange change;
  change.revision = r.Int64(row, 0);
  change.account_id = r.Value(row, 1);
  change.session_id = r.Value(row, 2);
  change.ended = r.Bool(row, 3);
  change.data = r.Value(row, 4);
  return change;
}

absl::StatusOr<FeedPosition> ReadFeedState(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("read store state", kFeedState));
  if (r.rows() != 1) return absl::InternalError("storage: read store state failed");
  return FeedPosition{r.Int64(0, 0), r.Int64(0, 1)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgSessionStore>> PgSessionStore::Open(const std::string& dsn,
                                                                     const Options& options) {
  auto store = std::unique_ptr<PgSessionStore>(new PgSessionStore(dsn, options));
  {
    ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, store->readers_.Acquire());
    RETURN_IF_ERROR(PgSchema::Migrate(*conn));
  }
  if (options.retention.purge_interval > absl::ZeroDuration()) {
    PgSessionStore* self = store.get();
    store->purger_.emplace("store-purge", options.retention.purge_interval,
                           options.retention.purge_batch, [self] { return self->PurgeExpired(); });
  }
  return store;
}

PgSessionStore::PgSessionStore(const std::string& dsn, const Options& options)
    : dsn_(dsn),
      options_(options),
      readers_(dsn, options.read_connections, options.max_wait),
      writer_(std::make_unique<PgGroupCommitWriter>(PgTransactions(dsn), options.max_batch,
                                                    options.max_queued_writes)),
      writes_(writer_.get()) {}

PgSessionStore::~PgSessionStore() { Close(); }

void PgSessionStore::Close() {
  std::unique_ptr<PgChangeListener> notifications;
  {
    absl::MutexLock lock(&listener_mu_);
    listener_ = nullptr;
    notifications = std::move(notifications_);
  }
  // Stopped outside listener_mu_: its thread may be waiting for it.
  notifications.reset();
  if (purger_) purger_->Stop();
  writer_->Close();
  readers_.Close();
}

void PgSessionStore::SetChangeListener(std::function<void()> wake) {
  absl::MutexLock lock(&listener_mu_);
  listener_ = std::move(wake);
  if (listener_ && notifications_ == nullptr) {
    notifications_ = std::make_unique<PgChangeListener>(dsn_, kChangesChannel, [this] {
      absl::MutexLock lock(&listener_mu_);
      if (listener_) listener_();
    });
  }
}

absl::Status PgSessionStore::InSnapshot(const char* what,
                                        const std::function<absl::Status(PgConnection&)>& read) {
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, readers_.Acquire());
  RETURN_IF_ERROR(conn->ExecScript(what, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  absl::Status status = read(*conn);
  // A read-only transaction commits nothing: ROLLBACK ends it either way
  // (and clears an aborted one before the connection goes back).
  absl::Status ended = conn->ExecScript(what, "ROLLBACK");
  return status.ok() ? ended : status;
}

absl::Status PgSessionStore::VisitCursor(
    PgConnection& conn, const char* what, const std::string& sql,
    const std::function<absl::Status(const PgResult&, int row)>& visit) {
  const std::string declare = absl::StrCat("DECLARE feed NO SCROLL CURSOR FOR ", sql);
  RETURN_IF_ERROR(conn.ExecScript(what, declare.c_str()));
  const std::string fetch = absl::StrCat("FETCH ", std::max(1, options_.fetch_rows), " FROM feed");
  while (true) {
    ASSIGN_OR_RETURN(PgResult r, conn.Exec(what, fetch.c_str(), {}, PgResultFormat::kBinary));
    for (int i = 0; i < r.rows(); ++i) RETURN_IF_ERROR(visit(r, i));
    if (r.rows() < options_.fetch_rows) break;
  }
  return conn.ExecScript(what, "CLOSE feed");
}

absl::Status PgSessionStore::ListActiveSessions(
    const ActiveSessionsQuery& query, google::protobuf::RepeatedPtrField<SessionInfo>* out) {
  if (query.account_id.empty()) return FieldError("account_id", "required");
  const ActiveSessionsQuery::MicrosBounds bounds = query.Bounds();
  const std::string lower = absl::StrCat(bounds.lower_us);
  const std::string cursor = absl::StrCat(bounds.cursor_us);
  const std::string limit = absl::StrCat(query.limit);
  std::vector<PgParam> params = {PgParam::Text(query.account_id), PgParam::Text(lower),
                                 PgParam::Text(cursor), PgParam::Text(query.after_id),
                                 query.limit > 0 ? PgParam::Text(limit) : PgParam::Null()};
  const char* sql = kListActive;
  if (!query.listed_customer().empty()) {
    params.push_back(PgParam::Text(query.listed_customer()));
    sql = kListActiveByCustomer;
    if (const std::string* bound = query.bounding_customer()) {
      params.push_back(PgParam::Text(*bound));
      sql = kListActiveByCustomerWithin;
    }
  }
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, readers_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("list active sessions", sql, params, PgResultFormat::kBinary));
  const int initial_size = out->size();
  for (int i = 0; i < r.rows(); ++i) {
    if (!ParseData(r.Value(i, 0), out->Add())) {
      out->DeleteSubrange(initial_size, out->size() - initial_size);
      return Unreadable();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionInfo> PgSessionStore::GetSession(const std::string& account_id,
                                                       const std::string& session_id) {
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, readers_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("get session", kGetSession,
                                          {PgParam::Text(account_id), PgParam::Text(session_id)},
                                          PgResultFormat::kBinary));
  if (r.rows() == 0) return absl::NotFoundError("session not found");
  SessionInfo session;
  if (!ParseData(r.Value(0, 0), &session)) return Unreadable();
  return session;
}

absl::Status PgSessionStore::ForEachSession(
    const std::function<absl::Status(const SessionInfo&)>& visit) {
  SessionInfo session;
  return InSnapshot("list sessions", [&](PgConnection& conn) {
    return VisitCursor(conn, "list sessions", kAllSessions,
                       [&](const PgResult& r, int row) -> absl::Status {
                         if (!ParseData(r.Value(row, 0), &session)) return Unreadable();
                         return visit(session);
                       });
  });
}

absl::StatusOr<UpsertResult> PgSessionStore::UpsertSessions(
    absl::Span<const SessionInfo> sessions) {
  return writes_.UpsertSessions(sessions);
}

void PgSessionStore::UpsertSessionsAsync(std::vector<SessionInfo> sessions,
                                         UpsertAuthority authority, UpsertCallback done) {
  writes_.UpsertSessionsAsync(std::move(sessions), std::move(authority), std::move(done));
}

void PgSessionStore::UpsertSessionAsync(const SessionInfo& session, UpsertAuthority authority,
                                        UpsertCallback done) {
  writes_.UpsertSessionAsync(session, std::move(authority), std::move(done));
}

absl::StatusOr<std::vector<std::string>> PgSessionStore::CustomerPath(
    const std::string& account_id, const std::string& customer_id) {
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, readers_.Acquire());
  PgSessionRows directory(*conn);
  return DirectoryPath(directory, account_id, customer_id);
}

absl::Status PgSessionStore::SetCustomerParent(const std::string& account_id,
                                               const std::string& customer_id,
                                               const std::string& parent_id) {
  return writes_.SetCustomerParent(account_id, customer_id, parent_id);
}

absl::StatusOr<int64_t> PgSessionStore::UpdateSession(
    const std::string& account_id, const std::string& session_id,
    const std::function<absl::Status(SessionInfo*)>& mutate) {
  return writes_.UpdateSession(account_id, session_id, mutate);
}

void PgSessionStore::UpdateSessionAsync(std::string account_id, std::string session_id,
                                        MutateFn mutate, RevisionCallback done) {
  writes_.UpdateSessionAsync(std::move(account_id), std::move(session_id), std::move(mutate),
                             std::move(done));
}

absl::StatusOr<FeedPosition> PgSessionStore::ListActiveChanges(const ChangeVisitor& visit) {
  FeedPosition position;
  RETURN_IF_ERROR(InSnapshot("list active sessions", [&](PgConnection& conn) -> absl::Status {
    ASSIGN_OR_RETURN(position, ReadFeedState(conn));
    return VisitCursor(conn, "list active sessions", kAllActive,
                       [&](const PgResult& r, int row) { return visit(ChangeAt(r, row)); });
  }));
  return position;
}

absl::StatusOr<FeedPosition> PgSessionStore::ChangesAfter(int64_t after_revision, int limit,
                                                          const ChangeVisitor& visit) {
  FeedPosition position;
  RETURN_IF_ERROR(InSnapshot("read changes", [&](PgConnection& conn) -> absl::Status {
    ASSIGN_OR_RETURN(position, ReadFeedState(conn));
    if (after_revision < position.horizon) {
      return absl::OutOfRangeError(absl::StrCat("revision ", after_revision,
                                                " is older than the compaction horizon ",
                                                position.horizon, "; list again"));
    }
    // Integers only, formatted here: nothing a caller wrote reaches the SQL.
    std::string sql = absl::StrCat(kChangesAfter, after_revision, " ORDER BY revision");
    if (limit > 0) absl::StrAppend(&sql, " LIMIT ", limit);
    int visited = 0;
    int64_t last_revision = 0;
    RETURN_IF_ERROR(VisitCursor(conn, "read changes", sql, [&](const PgResult& r, int row) {
      const SessionChange change = ChangeAt(r, row);
      RETURN_IF_ERROR(visit(change));
      ++visited;
      last_revision = change.revision;
      return absl::OkStatus();
    }));
    if (limit > 0 && visited == limit) position.revision = last_revision;
    return absl::OkStatus();
  }));
  return position;
}

absl::StatusOr<int> PgSessionStore::PurgeExpired() {
  const std::string cutoff =
      absl::StrCat(absl::ToUnixMicros(absl::Now() - options_.retention.keep_ended));
  const std::string batch = absl::StrCat(options_.retention.purge_batch);
  int purged = 0;
  RETURN_IF_ERROR(writer_->Run([&](PgConnection& conn) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult gone, conn.Exec("purge ended sessions", kDeleteExpired,
                                              {PgParam::Text(cutoff), PgParam::Text(batch)}));
    purged = static_cast<int>(gone.Int64(0, 0));
    if (purged == 0) return absl::OkStatus();
    const std::string horizon(gone.Value(0, 1));
    return conn.Exec("purge ended sessions", kRaiseHorizon, {PgParam::Text(horizon)}).status();
  }));
  return purged;
}

}  // namespace sessions
