#include "storage/sqlite/schema.h"

#include <iterator>

#include "SQLiteCpp/Transaction.h"
#include "absl/strings/str_cat.h"

namespace sessions {
namespace {

// Index i holds the statements that take user_version from i to i + 1.
constexpr const char* kMigrations[] = {
    // 1: sessions. `data` is the serialized SessionInfo; the other columns
    // are what queries filter and order on. Times are Unix microseconds.
    R"sql(
    CREATE TABLE sessions (
      account_id  TEXT    NOT NULL,
      id          TEXT    NOT NULL,
      customer_id TEXT    NOT NULL DEFAULT '',
      created_us  INTEGER NOT NULL,
      modified_us INTEGER NOT NULL,
      ended       INTEGER NOT NULL DEFAULT 0,
      data        BLOB    NOT NULL,
      PRIMARY KEY (account_id, id)
    );
    -- Active rows only: the active listing never touches ended sessions.
    CREATE INDEX sessions_active ON sessions (account_id, created_us, id)
      WHERE ended = 0;
    -- One row per (active session, customer on its path: its own customer
    -- and every breadcrumb entry). Cleared when the session ends.
    CREATE TABLE session_customers (
      account_id  TEXT    NOT NULL,
      customer_id TEXT    NOT NULL,
      created_us  INTEGER NOT NULL,
      session_id  TEXT    NOT NULL,
      PRIMARY KEY (account_id, customer_id, created_us, session_id),
      FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id)
        ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX session_customers_by_session
      ON session_customers (account_id, session_id);
    )sql",
    // 2: API tokens. Only the SHA-256 of a secret is stored. NULL times are
    // "never" (no expiry / never used).
    R"sql(
    CREATE TABLE api_tokens (
      id            TEXT    NOT NULL PRIMARY KEY,
      secret_sha256 BLOB    NOT NULL,
      account_id    TEXT    NOT NULL,
      customer_id   TEXT    NOT NULL DEFAULT '',
      name          TEXT    NOT NULL DEFAULT '',
      scopes        INTEGER NOT NULL DEFAULT 0,
      created_us    INTEGER NOT NULL,
      expires_us    INTEGER,
      last_used_us  INTEGER,
      revoked       INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX api_tokens_secret ON api_tokens (secret_sha256);
    )sql",
    // 3: revisions (the change feed). store_state.revision is the last
    // revision handed out; every row keeps the revision of its last change
    // (unique: two rows never share one) and the Unix time of that change,
    // which is what retention measures for ended rows. Existing rows get
    // their rowid as revision (unique and positive); their change time is
    // the migration's.
    R"sql(
    CREATE TABLE store_state (
      id       INTEGER PRIMARY KEY CHECK (id = 1),
      revision INTEGER NOT NULL,
      horizon  INTEGER NOT NULL
    );
    ALTER TABLE sessions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN changed_us INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET revision = rowid,
      changed_us = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
    INSERT INTO store_state (id, revision, horizon)
      SELECT 1, coalesce(max(revision), 0), 0 FROM sessions;
    CREATE UNIQUE INDEX sessions_by_revision ON sessions (revision);
    -- Ended rows by age: what the retention purge deletes.
    CREATE INDEX sessions_ended ON sessions (changed_us) WHERE ended = 1;
    )sql",
    // 4: the customer directory: each customer of an account and its parent
    // ('' for a root), as account-level writers' sessions state it. What a
    // customer-restricted writer's sessions are checked against.
    R"sql(
    CREATE TABLE customers (
      account_id  TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      parent_id   TEXT NOT NULL,
      PRIMARY KEY (account_id, customer_id)
    ) WITHOUT ROWID;
    )sql",
};

int ReadVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

}  // namespace

int Schema::LatestVersion() { return static_cast<int>(std::size(kMigrations)); }

absl::Status Schema::Migrate(SqliteConnection& conn) { return MigrateTo(conn, LatestVersion()); }

absl::StatusOr<int> Schema::CurrentVersion(SqliteConnection& conn) {
  return CatchSqlite("read schema version",
                     [&]() -> absl::StatusOr<int> { return ReadVersion(conn.db()); });
}

absl::Status Schema::MigrateTo(SqliteConnection& conn, int target_version) {
  if (target_version < 0 || target_version > LatestVersion()) {
    return absl::InvalidArgumentError(absl::StrCat("no schema version ", target_version));
  }
  return CatchSqlite("migrate schema", [&]() -> absl::Status {
    SQLite::Database& db = conn.db();
    // Cheap check first: an up-to-date database needs no write lock.
    if (ReadVersion(db) == target_version) return absl::OkStatus();
    SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int version = ReadVersion(db);
    if (version > LatestVersion()) {
      return absl::FailedPreconditionError(absl::StrCat("database schema version ", version,
                                                        " is newer than this binary (",
                                                        LatestVersion(), ")"));
    }
    for (int v = version; v < target_version; ++v) {
      db.exec(kMigrations[v]);
      db.exec(absl::StrCat("PRAGMA user_version = ", v + 1));
    }
    txn.commit();
    return absl::OkStatus();
  });
}

}  // namespace sessions
