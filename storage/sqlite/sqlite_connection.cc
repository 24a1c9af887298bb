#include "storage/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <cstdio>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sessions {

absl::StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(
    const std::string& path, const ConnectionOptions& options) {
  std::unique_ptr<SQLite::Database> db;
  try {
    const int flags =
        options.read_only ? SQLite::OPEN_READONLY : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db = std::make_unique<SQLite::Database>(path, flags, options.busy_timeout_ms, options.vfs);
  } catch (const SQLite::Exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open database ", path, ": ", e.what()));
  }
  try {
    // A real page cache (the default is ~2 MB): the hot B-tree pages of a
    // large file stay in memory instead of being read back with pread for
    // every statement. Grows only as pages are used. Temporary structures
    // (statement journals of the writer's savepoints) stay in memory.
    db->exec("PRAGMA cache_size = -65536");
    db->exec("PRAGMA temp_store = MEMORY");
    if (options.read_only) {
      db->exec("PRAGMA query_only = ON");
    } else {
      // WAL lets readers run beside the one writer; FULL syncs the WAL on
      // every commit, so an acknowledged write survives power loss.
      std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
      if (absl::AsciiStrToLower(mode) != "wal") {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot open database ", path, ": WAL mode unavailable (", mode, ")"));
      }
      db->exec("PRAGMA synchronous = FULL");
      db->exec("PRAGMA foreign_keys = ON");
    }
  } catch (const SQLite::Exception& e) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot configure database ", path, ": ", e.what()));
  }
  return std::unique_ptr<SqliteConnection>(new SqliteConnection(std::move(db)));
}

SqliteConnection::SqliteConnection(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

SQLite::Statement& SqliteConnection::Prepare(absl::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string text(sql);
    auto statement = std::make_unique<SQLite::Statement>(*db_, text);  // may throw: nothing cached
    return *statements_.emplace(std::move(text), std::move(statement)).first->second;
  }
  it->second->tryReset();
  it->second->clearBindings();
  return *it->second;
}

void SqliteConnection::ResetAll() {
  for (auto& entry : statements_) entry.second->tryReset();
}

absl::Status InternalStorageError(absl::string_view what, absl::string_view detail) {
  std::fprintf(stderr, "storage: %.*s failed: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  return absl::InternalError(absl::StrCat("storage: ", what, " failed"));
}

absl::Status SqliteErrorToStatus(const SQLite::Exception& e, absl::string_view what) {
  const int code = e.getErrorCode() & 0xff;
  std::fprintf(stderr, "storage: %.*s failed: sqlite error %d: %s\n", static_cast<int>(what.size()),
               what.data(), e.getExtendedErrorCode(), e.what());
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(absl::StrCat("storage: ", what, ": database is busy"));
    case SQLITE_FULL:
      return absl::ResourceExhaustedError(absl::StrCat("storage: ", what, ": disk is full"));
    case SQLITE_IOERR:
      // The device failed (EIO): worth a retry, here or on another replica.
      return absl::UnavailableError(absl::StrCat("storage: ", what, ": I/O error"));
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(absl::StrCat("storage: ", what, ": already exists"));
    default:
      return absl::InternalError(absl::StrCat("storage: ", what, " failed"));
  }
}

}  // namespace sessions
