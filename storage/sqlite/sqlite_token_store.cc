#include "storage/sqlite/sqlite_token_store.h"

#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/sqlite/schema.h"

namespace sessions {
namespace {

constexpr const char kInsert[] =
    "INSERT INTO api_tokens (id, secret_sha256, account_id, customer_id, name, scopes, "
    "created_us, expires_us, last_used_us, revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10)";
constexpr const char kFindByHash[] =
    "SELECT id, secret_sha256, account_id, customer_id, name, scopes, created_us, expires_us, "
    "last_used_us, revoked FROM api_tokens WHERE secret_sha256 = ?1";
constexpr const char kList[] =
    "SELECT id, secret_sha256, account_id, customer_id, name, scopes, created_us, expires_us, "
    "last_used_us, revoked FROM api_tokens ORDER BY created_us, id";
constexpr const char kRevoke[] = "UPDATE api_tokens SET revoked = 1 WHERE id = ?1";
constexpr const char kLastUsed[] = "SELECT last_used_us FROM api_tokens WHERE id = ?1";
constexpr const char kSetLastUsed[] = "UPDATE api_tokens SET last_used_us = ?2 WHERE id = ?1";

void BindBlob(SQLite::Statement& stmt, int index, std::string_view bytes) {
  stmt.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

// Reads a row in the column order of kFindByHash and kList.
TokenRecord ReadRow(SQLite::Statement& stmt) {
  TokenRecord token;
  token.id = stmt.getColumn(0).getString();
  SQLite::Column hash = stmt.getColumn(1);
  token.secret_sha256.assign(static_cast<const char*>(hash.getBlob()), hash.getBytes());
  token.account_id = stmt.getColumn(2).getString();
  token.customer_id = stmt.getColumn(3).getString();
  token.name = stmt.getColumn(4).getString();
  token.scopes = static_cast<uint32_t>(stmt.getColumn(5).getInt64());
  token.created_at = absl::FromUnixMicros(stmt.getColumn(6).getInt64());
  if (!stmt.getColumn(7).isNull()) {
    token.expires_at = absl::FromUnixMicros(stmt.getColumn(7).getInt64());
  }
  if (!stmt.getColumn(8).isNull()) {
    token.last_used_at = absl::FromUnixMicros(stmt.getColumn(8).getInt64());
  }
  token.revoked = stmt.getColumn(9).getInt() != 0;
  return token;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteTokenStore>> SqliteTokenStore::Open(const std::string& path,
                                                                         const Options& options) {
  ConnectionOptions conn_options;
  conn_options.busy_timeout_ms = options.busy_timeout_ms;
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path, conn_options));
  absl::Status migrated = Schema::Migrate(*conn);
  if (!migrated.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open database ", path, ": ", migrated.message()));
  }
  ConnectionOptions read_options = conn_options;
  read_options.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<ConnectionPool> readers,
                   ConnectionPool::Open(path, options.read_connections, read_options));
  return std::unique_ptr<SqliteTokenStore>(
      new SqliteTokenStore(std::move(conn), std::move(readers), options));
}

SqliteTokenStore::SqliteTokenStore(std::unique_ptr<SqliteConnection> conn,
                                   std::unique_ptr<ConnectionPool> readers, const Options& options)
    : options_(options), readers_(std::move(readers)), conn_(std::move(conn)) {}

absl::Status SqliteTokenStore::CreateToken(const TokenRecord& token) {
  RETURN_IF_ERROR(ValidateNewToken(token));
  absl::MutexLock lock(&mu_);
  return CatchSqlite("create token", [&]() -> absl::Status {
    SQLite::Statement& stmt = conn_->Prepare(kInsert);
    absl::Cleanup reset = [&stmt] { stmt.tryReset(); };
    stmt.bind(1, token.id);
    BindBlob(stmt, 2, token.secret_sha256);
    stmt.bind(3, token.account_id);
    stmt.bind(4, token.customer_id);
    stmt.bind(5, token.name);
    stmt.bind(6, static_cast<int64_t>(token.scopes));
    stmt.bind(7, static_cast<int64_t>(absl::ToUnixMicros(token.created_at)));
    if (token.expires_at != absl::InfiniteFuture()) {
      stmt.bind(8, static_cast<int64_t>(absl::ToUnixMicros(token.expires_at)));
    }
    if (token.last_used_at != absl::InfinitePast()) {
      stmt.bind(9, static_cast<int64_t>(absl::ToUnixMicros(token.last_used_at)));
    }
    stmt.bind(10, token.revoked ? 1 : 0);
    stmt.exec();
    return absl::OkStatus();
  });
}

absl::StatusOr<TokenRecord> SqliteTokenStore::FindTokenByHash(std::string_view secret_sha256) {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("find token", [&]() -> absl::StatusOr<TokenRecord> {
    SQLite::Statement& stmt = conn->Prepare(kFindByHash);
    absl::Cleanup reset = [&stmt] { stmt.tryReset(); };
    BindBlob(stmt, 1, secret_sha256);
    if (!stmt.executeStep()) return absl::NotFoundError("token not found");
    return ReadRow(stmt);
  });
}

absl::StatusOr<std::vector<TokenRecord>> SqliteTokenStore::ListTokens() {
  ASSIGN_OR_RETURN(ConnectionPool::Lease conn, readers_->Acquire());
  return CatchSqlite("list tokens", [&]() -> absl::StatusOr<std::vector<TokenRecord>> {
    SQLite::Statement& stmt = conn->Prepare(kList);
    absl::Cleanup reset = [&stmt] { stmt.tryReset(); };
    std::vector<TokenRecord> tokens;
    while (stmt.executeStep()) tokens.push_back(ReadRow(stmt));
    return tokens;
  });
}

absl::Status SqliteTokenStore::RevokeToken(std::string_view id) {
  absl::MutexLock lock(&mu_);
  return CatchSqlite("revoke token", [&]() -> absl::Status {
    SQLite::Statement& stmt = conn_->Prepare(kRevoke);
    absl::Cleanup reset = [&stmt] { stmt.tryReset(); };
    stmt.bind(1, std::string(id));
    if (stmt.exec() == 0) return absl::NotFoundError("token not found");
    return absl::OkStatus();
  });
}

absl::Status SqliteTokenStore::RecordTokenUse(std::string_view id, absl::Time when) {
  const int64_t when_us = absl::ToUnixMicros(when);
  absl::MutexLock lock(&mu_);
  return CatchSqlite("record token use", [&]() -> absl::Status {
    {
      SQLite::Statement& read = conn_->Prepare(kLastUsed);
      absl::Cleanup reset = [&read] { read.tryReset(); };
      read.bind(1, std::string(id));
      if (!read.executeStep()) return absl::NotFoundError("token not found");
      if (!read.getColumn(0).isNull() &&
          when_us - read.getColumn(0).getInt64() <
              absl::ToInt64Microseconds(options_.last_used_granularity)) {
        return absl::OkStatus();  // recent enough: skip the write
      }
    }
    SQLite::Statement& write = conn_->Prepare(kSetLastUsed);
    absl::Cleanup reset = [&write] { write.tryReset(); };
    write.bind(1, std::string(id));
    write.bind(2, static_cast<int64_t>(when_us));
    write.exec();
    return absl::OkStatus();
  });
}

}  // namespace sessions
