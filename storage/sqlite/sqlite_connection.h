// One SQLite connection configured the way this service needs it (WAL,
// busy_timeout, synchronous=FULL, foreign keys), with a cache of prepared
// statements, plus the one place that turns SQLite::Exception into
// absl::Status. Internal to storage/: SQLiteCpp types never appear in the
// store interfaces.
#ifndef STORAGE_SQLITE_SQLITE_CONNECTION_H_
#define STORAGE_SQLITE_SQLITE_CONNECTION_H_

#include <memory>
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Exception.h"
#include "SQLiteCpp/Statement.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions {

// How to open a connection.
struct ConnectionOptions {
  // Read-only connections cannot write (SQLITE_OPEN_READONLY + query_only).
  bool read_only = false;
  // How long a statement waits for a lock held by another connection or
  // process before failing with UNAVAILABLE.
  int busy_timeout_ms = 5000;
  // The SQLite VFS to open the file with; empty: SQLite's default. Tests
  // name a fault-injecting one (storage/testing/crash_vfs.h).
  std::string vfs;
};

// A configured connection with cached prepared statements.
//
// Thread-compatible: use from one thread at a time (the pool and the writer
// thread guarantee that).
//
//   ASSIGN_OR_RETURN(auto conn, SqliteConnection::Open(path, {}));
//   SQLite::Statement& stmt = conn->Prepare("SELECT 1");
class SqliteConnection {
 public:
  // Opens (creating if needed, unless read-only) the database at `path`.
  // Returns FAILED_PRECONDITION "cannot open database <path>: ..." when the
  // file cannot be opened (start-up error: the path is shown).
  static absl::StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                                const ConnectionOptions& options);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  SQLite::Database& db() { return *db_; }

  // Returns the cached statement for `sql` (keyed by its text), reset and
  // with cleared bindings. May throw SQLite::Exception; callers are inside
  // a CatchSqlite block.
  SQLite::Statement& Prepare(absl::string_view sql);

  // Resets every cached statement (ends any read they hold open). Never
  // throws.
  void ResetAll();

 private:
  explicit SqliteConnection(std::unique_ptr<SQLite::Database> db);

  std::unique_ptr<SQLite::Database> db_;
  absl::flat_hash_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// Converts a SQLite error to a Status for the operation `what` (a fixed
// phrase such as "list active sessions"). Logs the SQLite message to stderr;
// the returned message names only `what`, never SQL or file paths:
// SQLITE_BUSY/LOCKED -> UNAVAILABLE, SQLITE_FULL -> RESOURCE_EXHAUSTED,
// constraint violations -> ALREADY_EXISTS, anything else -> INTERNAL.
absl::Status SqliteErrorToStatus(const SQLite::Exception& e, absl::string_view what);

// Logs `detail` and returns INTERNAL "storage: <what> failed".
absl::Status InternalStorageError(absl::string_view what, absl::string_view detail);

// Runs `fn` (returning absl::Status or absl::StatusOr<T>) and converts any
// SQLite::Exception (or other std::exception) it throws into a Status.
template <typename Fn>
auto CatchSqlite(absl::string_view what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const SQLite::Exception& e) {
    return SqliteErrorToStatus(e, what);
  } catch (const std::exception& e) {
    return InternalStorageError(what, e.what());
  }
}

}  // namespace sessions

#endif  // STORAGE_SQLITE_SQLITE_CONNECTION_H_
