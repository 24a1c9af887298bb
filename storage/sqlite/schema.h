// The database schema of the service (sessions and API tokens live in one
// SQLite file) and its migrations, keyed on PRAGMA user_version.
#ifndef STORAGE_SQLITE_SCHEMA_H_
#define STORAGE_SQLITE_SCHEMA_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// Brings a database to the newest schema version.
//
// Migration N (1-based) moves user_version from N-1 to N; the list is in
// schema.cc and only ever grows (never edit a shipped migration). Migrate()
// runs the missing ones in one BEGIN IMMEDIATE transaction, re-reading the
// version inside it, so concurrent openers (the server and sessionsctl) are
// safe and reopening is a no-op.
//
// Stateless; thread-safe.
class Schema {
 public:
  // The version Migrate() produces.
  static int LatestVersion();

  // Applies the missing migrations on `conn` (a read-write connection).
  // FAILED_PRECONDITION if the database is newer than this binary,
  // UNAVAILABLE if it stays locked past busy_timeout, INTERNAL otherwise.
  static absl::Status Migrate(SqliteConnection& conn);

  // Migrate() up to `target_version` only: for tests of the migrations
  // themselves (a database as an older binary left it).
  static absl::Status MigrateTo(SqliteConnection& conn, int target_version);

  // Returns PRAGMA user_version.
  static absl::StatusOr<int> CurrentVersion(SqliteConnection& conn);
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_SCHEMA_H_
