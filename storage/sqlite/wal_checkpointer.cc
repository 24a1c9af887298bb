#include "storage/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <cstdio>
#include <utility>

#include "common/status_macros.h"

namespace sessions {
namespace {

// Copies what it can of the WAL into the database file without waiting for
// readers or the writer. Returns the SQLite result code.
int PassiveCheckpoint(sqlite3* db, const char* schema) {
  return sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

}  // namespace

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    SqliteConnection& writer, const std::string& path, const ConnectionOptions& connection,
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                   SqliteConnection::Open(path, connection));
  std::unique_ptr<WalCheckpointer> checkpointer(new WalCheckpointer(std::move(conn), options));
  // Replaces SQLite's automatic checkpoint (itself a WAL hook).
  sqlite3_wal_hook(writer.db().getHandle(), &WalCheckpointer::OnCommit, checkpointer.get());
  return checkpointer;
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteConnection> conn, const Options& options)
    : options_(options), conn_(std::move(conn)), next_wake_pages_(options.start_pages) {
  thread_.emplace("wal-checkpoint", [this] { Loop(); });
}

WalCheckpointer::~WalCheckpointer() { Stop(); }

void WalCheckpointer::Stop() {
  absl::MutexLock stop_lock(&stop_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_->Join();
  conn_.reset();
}

CheckpointStats WalCheckpointer::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  const Options& options = checkpointer->options_;
  if (wal_pages >= options.hard_limit_pages) {
    // Most pages are usually copied already; copying the rest lets the WAL
    // restart, which bounds the file.
    checkpointer->Count(PassiveCheckpoint(db, schema), &CheckpointStats::inline_);
    return SQLITE_OK;
  }
  int& next_wake = checkpointer->next_wake_pages_;
  if (wal_pages < options.start_pages) next_wake = options.start_pages;  // the WAL restarted
  if (wal_pages < next_wake) return SQLITE_OK;
  // Once per start_pages of growth, not on every commit: each pass costs two
  // fsyncs (WAL, then database) whatever it copies.
  next_wake = wal_pages + options.start_pages;
  absl::MutexLock lock(&checkpointer->mu_);
  checkpointer->wanted_ = true;
  ++checkpointer->stats_.wakeups;
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalCheckpointer* c)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) { return c->wanted_ || c->stopping_; },
          this));
      if (stopping_) return;
      wanted_ = false;
    }
    Count(PassiveCheckpoint(conn_->db().getHandle(), nullptr), &CheckpointStats::background);
  }
}

void WalCheckpointer::Count(int rc, int64_t CheckpointStats::*ran) {
  // SQLITE_BUSY: another checkpoint (the other thread's, or another
  // process's) is running; a later commit asks again.
  if (rc == SQLITE_BUSY) return;
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "storage: WAL checkpoint failed: sqlite error %d: %s\n", rc,
                 sqlite3_errstr(rc));
  }
  absl::MutexLock lock(&mu_);
  ++(stats_.*(rc == SQLITE_OK ? ran : &CheckpointStats::failed));
}

}  // namespace sessions
