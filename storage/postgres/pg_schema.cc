#include "storage/postgres/pg_schema.h"

#include <iterator>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

// Index i holds the statements that take the version from i to i + 1. The
// tables are the SQLite schema's (storage/sqlite/schema.cc), with its
// history folded into version 1: times are Unix microseconds, `data` the
// serialized SessionInfo. Key columns compare bytes (COLLATE "C"), as
// SQLite and the live view do, whatever the database's locale: listings
// are ordered by id, and the order must not depend on the server.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE sessions (
      account_id  text    COLLATE "C" NOT NULL,
      id          text    COLLATE "C" NOT NULL,
      customer_id text    COLLATE "C" NOT NULL DEFAULT '',
      created_us  bigint  NOT NULL,
      modified_us bigint  NOT NULL,
      ended       boolean NOT NULL DEFAULT false,
      data        bytea   NOT NULL,
      revision    bigint  NOT NULL,
      changed_us  bigint  NOT NULL,
      PRIMARY KEY (account_id, id)
    );
    CREATE INDEX sessions_active ON sessions (account_id, created_us, id) WHERE NOT ended;
    CREATE UNIQUE INDEX sessions_by_revision ON sessions (revision);
    CREATE INDEX sessions_ended ON sessions (changed_us) WHERE ended;
    CREATE TABLE session_customers (
      account_id  text   COLLATE "C" NOT NULL,
      customer_id text   COLLATE "C" NOT NULL,
      created_us  bigint NOT NULL,
      session_id  text   COLLATE "C" NOT NULL,
      PRIMARY KEY (account_id, customer_id, created_us, session_id),
      FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id)
        ON DELETE CASCADE
    );
    CREATE INDEX session_customers_by_session ON session_customers (account_id, session_id);
    -- The revision counter. Every write transaction bumps it with an UPDATE,
    -- whose row lock it holds until commit: writers take revisions one
    -- transaction at a time, so revision order is commit order and a tailer
    -- reading "revision > R" can never miss a row that commits later with
    -- a smaller revision (the trap of a plain sequence).
    CREATE TABLE store_state (
      id       integer PRIMARY KEY CHECK (id = 1),
      revision bigint  NOT NULL,
      horizon  bigint  NOT NULL
    );
    INSERT INTO store_state (id, revision, horizon) VALUES (1, 0, 0);
    CREATE TABLE customers (
      account_id  text COLLATE "C" NOT NULL,
      customer_id text COLLATE "C" NOT NULL,
      parent_id   text COLLATE "C" NOT NULL,
      PRIMARY KEY (account_id, customer_id)
    );
    CREATE TABLE api_tokens (
      id            text    NOT NULL PRIMARY KEY,
      secret_sha256 bytea   NOT NULL UNIQUE,
      account_id    text    NOT NULL,
      customer_id   text    NOT NULL DEFAULT '',
      name          text    NOT NULL DEFAULT '',
      scopes        bigint  NOT NULL DEFAULT 0,
      created_us    bigint  NOT NULL,
      expires_us    bigint,
      last_used_us  bigint,
      revoked       boolean NOT NULL DEFAULT false
    );
    )sql",
    // Version 2: every change to what authenticates a token NOTIFYs
    // kTokenChangesChannel (pg_schema.h), whoever makes it (sessionsctl, a
    // replica, an operator's SQL), so replicas may cache tokens. Not on
    // INSERT (a token not found is never cached) nor on last_used_us (the
    // last-use writes would flush the caches once a minute per token).
    R"sql(
    CREATE FUNCTION api_tokens_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('active_sessions_token_changes', '');
      RETURN NULL;
    END $$;
    CREATE TRIGGER api_tokens_changed
      AFTER UPDATE OF secret_sha256, account_id, customer_id, name, scopes, expires_us, revoked
        OR DELETE OR TRUNCATE ON api_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION api_tokens_notify();
    )sql",
};

// The trigger of version 2 notifies the channel PgTokenStore listens on.
static_assert(std::string_view(kMigrations[1]).find(PgSchema::kTokenChangesChannel) !=
                  std::string_view::npos,
              "the token-change trigger must NOTIFY PgSchema::kTokenChangesChannel");

constexpr const char kCreateVersionTable[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)";
constexpr const char kReadVersion[] = "SELECT version FROM schema_version WHERE id = 1";
constexpr const char kWriteVersion[] =
    "INSERT INTO schema_version (id, version) VALUES (1, $1) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version";

absl::StatusOr<int> ReadVersion(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult r, conn.Exec("read schema version", kReadVersion));
  return r.rows() == 0 ? 0 : static_cast<int>(r.Int64(0, 0));
}

absl::Status MigrateLocked(PgConnection& conn) {
  const std::string key = absl::StrCat(PgSchema::kMigrationLockKey);
  RETURN_IF_ERROR(
      conn.Exec("lock schema", "SELECT pg_advisory_xact_lock($1)", {PgParam::Text(key)}).status());
  RETURN_IF_ERROR(conn.ExecScript("migrate schema", kCreateVersionTable));
  ASSIGN_OR_RETURN(const int version, ReadVersion(conn));
  if (version > PgSchema::LatestVersion()) {
    return absl::FailedPreconditionError(absl::StrCat("database schema version ", version,
                                                      " is newer than this binary (",
                                                      PgSchema::LatestVersion(), ")"));
  }
  for (int v = version; v < PgSchema::LatestVersion(); ++v) {
    RETURN_IF_ERROR(conn.ExecScript("migrate schema", kMigrations[v]));
  }
  if (version == PgSchema::LatestVersion()) return absl::OkStatus();
  const std::string latest = absl::StrCat(PgSchema::LatestVersion());
  return conn.Exec("migrate schema", kWriteVersion, {PgParam::Text(latest)}).status();
}

}  // namespace

int PgSchema::LatestVersion() { return static_cast<int>(std::size(kMigrations)); }

absl::StatusOr<int> PgSchema::CurrentVersion(PgConnection& conn) {
  ASSIGN_OR_RETURN(PgResult exists, conn.Exec("read schema version",
                                              "SELECT to_regclass('schema_version') IS NOT NULL"));
  if (!exists.Bool(0, 0)) return 0;
  return ReadVersion(conn);
}

absl::Status PgSchema::Migrate(PgConnection& conn) {
  RETURN_IF_ERROR(conn.ExecScript("migrate schema", "BEGIN"));
  absl::Status status = MigrateLocked(conn);
  // COMMIT of a failed transaction rolls it back; either way the advisory
  // lock goes with the transaction.
  absl::Status ended = conn.ExecScript("migrate schema", status.ok() ? "COMMIT" : "ROLLBACK");
  return status.ok() ? ended : status;
}

}  // namespace sessions
