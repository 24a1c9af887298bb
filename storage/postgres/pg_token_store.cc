#include "storage/postgres/pg_token_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/postgres/pg_schema.h"

namespace sessions {
namespace {

constexpr const char kInsert[] =
    "INSERT INTO api_tokens (id, secret_sha256, account_id, customer_id, name, scopes, "
    "created_us, expires_us, last_used_us, revoked) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr const char kColumns[] =
    "SELECT id, secret_sha256, account_id, customer_id, name, scopes, created_us, expires_us, "
    "last_used_us, revoked FROM api_tokens ";
constexpr const char kRevoke[] = "UPDATE api_tokens SET revoked = true WHERE id = $1";
// One statement: writes only when the stored last use is older than the
// granularity ($3 µs), so a burst of authentications costs no writes.
constexpr const char kRecordUse[] =
    "UPDATE api_tokens SET last_used_us = $2 WHERE id = $1 "
    "AND (last_used_us IS NULL OR last_used_us <= $2::bigint - $3::bigint)";
constexpr const char kExists[] = "SELECT 1 FROM api_tokens WHERE id = $1";

// The TokenStore interface speaks std::string_view; Debian's Abseil has its
// own string_view type.
absl::string_view View(std::string_view v) { return absl::string_view(v.data(), v.size()); }

std::string Micros(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

// Reads row `row` in kColumns' order (a binary-format result).
TokenRecord ReadRow(const PgResult& r, int row) {
  TokenRecord token;
  token.id = std::string(r.Value(row, 0));
  token.secret_sha256 = std::string(r.Value(row, 1));
  token.account_id = std::string(r.Value(row, 2));
  token.customer_id = std::string(r.Value(row, 3));
  token.name = std::string(r.Value(row, 4));
  token.scopes = static_cast<uint32_t>(r.Int64(row, 5));
  token.created_at = absl::FromUnixMicros(r.Int64(row, 6));
  if (!r.IsNull(row, 7)) token.expires_at = absl::FromUnixMicros(r.Int64(row, 7));
  if (!r.IsNull(row, 8)) token.last_used_at = absl::FromUnixMicros(r.Int64(row, 8));
  token.revoked = r.Bool(row, 9);
  return token;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PgTokenStore>> PgTokenStore::Open(const std::string& dsn,
                                                                 const Options& options) {
  auto store = std::unique_ptr<PgTokenStore>(new PgTokenStore(dsn, options));
  {
    ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, store->pool_.Acquire());
    RETURN_IF_ERROR(PgSchema::Migrate(*conn));
  }
  if (options.cache_ttl > absl::ZeroDuration()) {
    TokenCache::Options cache;
    cache.ttl = options.cache_ttl;
    store->cache_ = std::make_unique<TokenCache>(cache);
    store->listener_ =
        std::make_unique<PgChangeListener>(dsn, PgSchema::kTokenChangesChannel,
                                           [cache = store->cache_.get()] { cache->Invalidate(); });
  }
  return store;
}

PgTokenStore::PgTokenStore(const std::string& dsn, const Options& options)
    : options_(options), pool_(dsn, options.connections, options.max_wait) {}

absl::Status PgTokenStore::CreateToken(const TokenRecord& token) {
  RETURN_IF_ERROR(ValidateNewToken(token));
  const std::string scopes = absl::StrCat(token.scopes);
  const std::string created = Micros(token.created_at);
  const std::string expires = Micros(token.expires_at);
  const std::string last_used = Micros(token.last_used_at);
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool_.Acquire());
  return conn
      ->Exec(
          "create token", kInsert,
          {PgParam::Text(token.id), PgParam::Bytes(token.secret_sha256),
           PgParam::Text(token.account_id), PgParam::Text(token.customer_id),
           PgParam::Text(token.name), PgParam::Text(scopes), PgParam::Text(created),
           token.expires_at == absl::InfiniteFuture() ? PgParam::Null() : PgParam::Text(expires),
           token.last_used_at == absl::InfinitePast() ? PgParam::Null() : PgParam::Text(last_used),
           PgParam::Text(token.revoked ? "true" : "false")})
      .status();
}

absl::StatusOr<TokenRecord> PgTokenStore::FindTokenByHash(std::string_view secret_sha256) {
  // Only while the listener is up is every change going to invalidate.
  const bool cached = listener_ != nullptr && listener_->listening();
  uint64_t generation = 0;
  if (cached) {
    if (std::optional<TokenRecord> hit = cache_->Find(secret_sha256, &generation)) {
      return *std::move(hit);
    }
  }
  ASSIGN_OR_RETURN(TokenRecord token, ReadToken(secret_sha256));
  if (cached) cache_->Insert(secret_sha256, token, generation);
  return token;
}

int64_t PgTokenStore::cache_hits() const { return cache_ != nullptr ? cache_->hits() : 0; }

absl::StatusOr<TokenRecord> PgTokenStore::ReadToken(std::string_view secret_sha256) {
  static const std::string kSql = absl::StrCat(kColumns, "WHERE secret_sha256 = $1");
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("find token", kSql.c_str(), {PgParam::Bytes(View(secret_sha256))},
                              PgResultFormat::kBinary));
  if (r.rows() == 0) return absl::NotFoundError("token not found");
  return ReadRow(r, 0);
}

absl::StatusOr<std::vector<TokenRecord>> PgTokenStore::ListTokens() {
  static const std::string kSql = absl::StrCat(kColumns, "ORDER BY created_us, id");
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r,
                   conn->Exec("list tokens", kSql.c_str(), {}, PgResultFormat::kBinary));
  std::vector<TokenRecord> tokens;
  tokens.reserve(r.rows());
  for (int row = 0; row < r.rows(); ++row) tokens.push_back(ReadRow(r, row));
  return tokens;
}

absl::Status PgTokenStore::RevokeToken(std::string_view id) {
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult r, conn->Exec("revoke token", kRevoke, {PgParam::Text(View(id))}));
  if (r.Affected() == 0) return absl::NotFoundError("token not found");
  // This store's next lookup must not wait for the notification.
  if (cache_ != nullptr) cache_->Invalidate();
  return absl::OkStatus();
}

absl::Status PgTokenStore::RecordTokenUse(std::string_view id, absl::Time when) {
  const std::string when_us = Micros(when);
  const std::string granularity =
      absl::StrCat(absl::ToInt64Microseconds(options_.last_used_granularity));
  ASSIGN_OR_RETURN(PgConnectionPool::Lease conn, pool_.Acquire());
  ASSIGN_OR_RETURN(PgResult written, conn->Exec("record token use", kRecordUse,
                                                {PgParam::Text(View(id)), PgParam::Text(when_us),
                                                 PgParam::Text(granularity)}));
  if (written.Affected() > 0) {
    if (cache_ != nullptr) cache_->NoteUse(id, when);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(PgResult exists,
                   conn->Exec("record token use", kExists, {PgParam::Text(View(id))}));
  if (exists.rows() == 0) return absl::NotFoundError("token not found");
  return absl::OkStatus();  // recent enough: nothing to write
}

}  // namespace sessions
