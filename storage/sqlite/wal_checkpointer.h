// Background WAL checkpoints for the store's writer connection.
//
// SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL
// past its threshold: the one writer thread then copies the WAL's pages into
// the database file and syncs it, and every write queued behind it waits.
// WalCheckpointer turns the automatic checkpoint off on the writer
// connection and copies pages on its own thread and connection instead
// (PASSIVE checkpoints never block the writer), so on a multi-core machine
// the writer keeps committing meanwhile. Past a few times that threshold
// the writer checkpoints itself, as SQLite would have: usually only a short
// tail is left to copy, and it lets the WAL restart (see hard_limit_pages).
#ifndef STORAGE_SQLITE_WAL_CHECKPOINTER_H_
#define STORAGE_SQLITE_WAL_CHECKPOINTER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/worker_thread.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

struct WalCheckpointerOptions {
  // WAL size (pages) at which a commit wakes the checkpoint thread, and the
  // growth after which it wakes it again (SQLite's own automatic checkpoint
  // default is 1000).
  int start_pages = 1000;
  // WAL size (pages) at which the writer checkpoints itself. Under a steady
  // stream of commits the background checkpoint never quite catches up
  // (frames keep arriving while it copies), and SQLite restarts the WAL from
  // its beginning only after a checkpoint that copied every frame; the
  // writer's own checkpoint copies just the frames the thread has not (few)
  // and lets the WAL restart. The WAL file thus stays near this size (with
  // 16000 it sat at 64 MiB).
  int hard_limit_pages = 4000;
};

// Counters of a WalCheckpointer.
struct CheckpointStats {
  int64_t wakeups = 0;     // passes commits asked the thread for (coalesced if pending)
  int64_t background = 0;  // checkpoints run on the checkpoint thread
  int64_t inline_ = 0;     // checkpoints the writer ran past the hard limit
  int64_t failed = 0;      // checkpoints that failed (logged; retried later)
};

// Runs checkpoints of one database on a background thread.
//
//   auto checkpointer = WalCheckpointer::Start(*writer_conn, path, conn_options, {});
//   ... writer_conn commits (on its own thread) ...
//   checkpointer->Stop();  // before the writer connection closes
//
// Thread-safe. Start() must be called before the writer connection is used
// by another thread: it installs the connection's WAL hook.
class WalCheckpointer {
 public:
  using Options = WalCheckpointerOptions;

  // Opens the checkpoint connection on `path` (with `connection`'s
  // options), installs the WAL hook on
  // `writer` and starts the thread. `writer` must outlive this object's use
  // by its hook: call Stop() and close `writer` before destroying this.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(SqliteConnection& writer,
                                                                const std::string& path,
                                                                const ConnectionOptions& connection,
                                                                const Options& options);

  // Calls Stop().
  ~WalCheckpointer();

  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Stops the thread and closes its connection. Later commits of the
  // writer only checkpoint past the hard limit. Idempotent.
  void Stop();

  CheckpointStats stats() const;

 private:
  WalCheckpointer(std::unique_ptr<SqliteConnection> conn, const Options& options);

  // sqlite3_wal_hook callback: runs on the writer's thread after each commit.
  static int OnCommit(void* self, struct sqlite3* db, const char* schema, int wal_pages);
  void Loop();
  // Counts the checkpoint result `rc` in `ran` (or as failed).
  void Count(int rc, int64_t CheckpointStats::*ran);

  const Options options_;
  std::unique_ptr<SqliteConnection> conn_;  // used by the thread only
  int next_wake_pages_;                     // used by OnCommit (the writer's thread) only

  mutable absl::Mutex mu_;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  CheckpointStats stats_ ABSL_GUARDED_BY(mu_);

  absl::Mutex stop_mu_;  // serializes Stop() calls
  std::optional<WorkerThread> thread_;
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_WAL_CHECKPOINTER_H_
