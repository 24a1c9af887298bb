// The PostgreSQL schema of the stores and its migrations. Replicas may
// start together: every migration runs in one transaction holding a
// transaction-scoped advisory lock, so one replica migrates and the others
// wait for it, then find the schema current (PostgreSQL's DDL is
// transactional: a replica killed mid-migration leaves nothing half done).
//
// Stateless; thread-compatible like the connection it is given.
#ifndef STORAGE_POSTGRES_PG_SCHEMA_H_
#define STORAGE_POSTGRES_PG_SCHEMA_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/postgres/pg_connection.h"

namespace sessions {

class PgSchema {
 public:
  // The version this binary's migrations produce.
  static int LatestVersion();

  // Brings the database to LatestVersion() under the advisory lock.
  // FAILED_PRECONDITION if the database's schema is newer than this binary
  // (a rollback onto a migrated database: refuse rather than misread it).
  static absl::Status Migrate(PgConnection& conn);

  // The database's schema version (0: never migrated).
  static absl::StatusOr<int> CurrentVersion(PgConnection& conn);

  // The channel on which the database NOTIFYs every change to api_tokens
  // that can change an authentication (a trigger of version 2).
  static constexpr const char kTokenChangesChannel[] = "active_sessions_token_changes";

  // The advisory lock key (a constant of this service: "actsess" in ASCII),
  // exposed for tests that hold it to prove migrators wait.
  static constexpr int64_t kMigrationLockKey = 0x61637473657373;
};

}  // namespace sessions

#endif  // STORAGE_POSTGRES_PG_SCHEMA_H_
