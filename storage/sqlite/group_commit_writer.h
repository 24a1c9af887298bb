// Group commit for SQLite: one writer connection owned by one thread runs
// every write of the process. Pending writes are taken together, run in one
// BEGIN IMMEDIATE transaction (each inside its own SAVEPOINT, so one failing
// write rolls back only itself) and committed with a single fsync; then each
// write is completed with its own status. Many concurrent writers thus share
// fsyncs instead of queueing for one each. Completions run on a second
// thread: with gRPC they send the responses, and the writer thread would
// otherwise spend half its time doing that instead of writing.
#ifndef STORAGE_SQLITE_GROUP_COMMIT_WRITER_H_
#define STORAGE_SQLITE_GROUP_COMMIT_WRITER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/worker_thread.h"
#include "storage/sqlite/sqlite_connection.h"

namespace sessions {

// Counters of a GroupCommitWriter.
struct WriterStats {
  int64_t ops = 0;        // write operations completed (any status)
  int64_t commits = 0;    // transactions committed (one fsync each; not rollbacks)
  int64_t max_batch = 0;  // most operations in one transaction
  int64_t queued = 0;     // operations waiting for the writer right now
  int64_t refused = 0;    // operations refused because max_queued were waiting
};

// Runs write operations on a dedicated thread, batching them into shared
// transactions.
//
//   auto writer = std::make_unique<GroupCommitWriter>(std::move(conn), 256);
//   absl::Status s = writer->Run([](SqliteConnection& c) {
//     c.Prepare("DELETE FROM t").exec();
//     return absl::OkStatus();
//   });
//
// Thread-safe. Operations run one at a time on the writer thread, and may
// throw SQLite::Exception (converted to a Status). Completion callbacks run
// after the commit, in commit order, on the completion thread: they must
// not call back into blocking writes (that would deadlock).
class GroupCommitWriter {
 public:
  // A write; runs inside its own SAVEPOINT. A non-OK result (or an
  // exception) rolls back just this operation.
  using Op = std::function<absl::Status(SqliteConnection&)>;
  // Gets the operation's final status: OK only if its transaction committed.
  using Done = std::function<void(absl::Status)>;

  // Starts the writer thread on `conn` (a read-write connection, now owned).
  // `max_batch` bounds the operations per transaction, `max_queued` the
  // operations waiting for the writer (more are refused at once).
  GroupCommitWriter(std::unique_ptr<SqliteConnection> conn, int max_batch,
                    int max_queued = kDefaultMaxQueued);

  // Past this many waiting writes a burst would only queue latency (at
  // ~20,000 writes/s, half a second) and memory: callers are better told to
  // back off.
  static constexpr int kDefaultMaxQueued = 10000;
  // Calls Close().
  ~GroupCommitWriter();

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `op`; `done` is called exactly once, on the completion thread (or
  // inline with UNAVAILABLE if the writer is closed or `max_queued`
  // operations are already waiting: nothing was written, retry later).
  void Submit(Op op, Done done);

  // Queues `op` and waits for its final status.
  absl::Status Run(Op op);

  // Runs every queued operation, stops the thread and closes the
  // connection. Idempotent.
  void Close();

  WriterStats stats() const;

 private:
  struct Pending {
    Op op;
    Done done;
  };
  struct Completion {
    Done done;
    absl::Status status;
  };

  void Loop();
  void CompletionLoop();
  // Runs `batch` in one transaction and completes every entry.
  void RunBatch(std::vector<Pending>& batch);

  const int max_batch_;
  const size_t max_queued_;
  // Used only by the writer thread (and destroyed after it has joined).
  std::unique_ptr<SqliteConnection> conn_;

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  WriterStats stats_ ABSL_GUARDED_BY(mu_);

  // Separate from mu_: Submit() never waits for the completion thread.
  absl::Mutex completion_mu_;
  std::vector<Completion> completions_ ABSL_GUARDED_BY(completion_mu_);
  bool writer_stopped_ ABSL_GUARDED_BY(completion_mu_) = false;

  absl::Mutex close_mu_;  // serializes Close() calls
  std::optional<WorkerThread> thread_;
  std::optional<WorkerThread> completion_thread_;
};

}  // namespace sessions

#endif  // STORAGE_SQLITE_GROUP_COMMIT_WRITER_H_
