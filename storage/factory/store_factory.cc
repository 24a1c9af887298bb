#include "storage/factory/store_factory.h"

#include <postgresql/libpq-fe.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "storage/postgres/pg_session_store.h"
#include "storage/postgres/pg_token_store.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/sqlite/sqlite_token_store.h"

namespace sessions {
namespace {

template <typename Interface, typename Engine>
absl::StatusOr<std::unique_ptr<Interface>> Upcast(absl::StatusOr<std::unique_ptr<Engine>> store) {
  if (!store.ok()) return store.status();
  return std::unique_ptr<Interface>(*std::move(store));
}

}  // namespace

absl::StatusOr<StoreEngine> ParseStoreEngine(absl::string_view name, absl::string_view flag) {
  if (name == "sqlite") return StoreEngine::kSqlite;
  if (name == "postgres") return StoreEngine::kPostgres;
  return absl::InvalidArgumentError(absl::StrCat(flag, ": must be sqlite or postgres"));
}

absl::StatusOr<std::string> ReadDsnFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    const std::string what = absl::StrCat("cannot read the PostgreSQL DSN file ", path);
    if (error == EACCES) return absl::PermissionDeniedError(what);
    return absl::NotFoundError(what);
  }
  std::stringstream contents;
  contents << in.rdbuf();
  std::string dsn = contents.str();
  absl::StripTrailingAsciiWhitespace(&dsn);
  if (dsn.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the PostgreSQL DSN file ", path, " is empty"));
  }
  return dsn;
}

std::string DescribeStore(const StoreConfig& config) {
  if (config.engine == StoreEngine::kSqlite) return absl::StrCat("sqlite:", config.sqlite_path);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(config.postgres_dsn.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "postgres:(unparsable DSN)";
  }
  std::string host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const absl::string_view keyword = o->keyword;
    if (keyword == "host") host = o->val;
    if (keyword == "port") port = o->val;
    if (keyword == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  return absl::StrCat("postgres:", host.empty() ? "(default host)" : host, port.empty() ? "" : ":",
                      port, "/", dbname);
}

absl::StatusOr<std::unique_ptr<SessionStore>> OpenSessionStore(const StoreConfig& config) {
  if (config.engine == StoreEngine::kPostgres) {
    PgStoreOptions options;
    options.retention = config.retention;
    return Upcast<SessionStore>(PgSessionStore::Open(config.postgres_dsn, options));
  }
  SqliteStoreOptions options;
  options.retention = config.retention;
  return Upcast<SessionStore>(SqliteSessionStore::Open(config.sqlite_path, options));
}

absl::StatusOr<std::unique_ptr<TokenStore>> OpenTokenStore(const StoreConfig& config) {
  if (config.engine == StoreEngine::kPostgres) {
    PgTokenStore::Options options;
    options.cache_ttl = config.token_cache_ttl;
    return Upcast<TokenStore>(PgTokenStore::Open(config.postgres_dsn, options));
  }
  return Upcast<TokenStore>(SqliteTokenStore::Open(config.sqlite_path, {}));
}

}  // namespace sessions
