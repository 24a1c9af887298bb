// Group commit, for every engine: one writer connection owned by one thread
// runs every write of the process. Pending writes are taken together, run
// in one transaction (each inside its own SAVEPOINT, so one failing write
// rolls back only itself) and committed with a single flush to disk; then
// each write is completed with its own status. Many concurrent writers thus
// share flushes instead of queueing for one each. Completions run on a
// second thread: with gRPC they send the responses, and the writer thread
// would otherwise spend half its time doing that instead of writing.
//
// The engine supplies the transaction statements through a policy (the
// SQLite one: storage/sqlite/sqlite_transactions.h; PostgreSQL:
// storage/postgres/pg_transactions.h):
//
//   struct Policy {
//     using Connection = ...;
//     Connection& conn();
//     absl::Status Begin();          // starts the batch's transaction
//     absl::Status Savepoint();      // before each op of a batch of several
//     absl::Status RollbackToSavepoint();
//     absl::Status ReleaseSavepoint();
//     absl::Status Commit();
//     void Rollback();               // best effort, after any failure
//     absl::Status Run(const Op&);   // runs one op, engine errors as Status
//   };
#ifndef STORAGE_GROUP_COMMIT_WRITER_H_
#define STORAGE_GROUP_COMMIT_WRITER_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/worker_thread.h"
#include "storage/store_stats.h"

namespace sessions {

// Past this many waiting writes a burst would only queue latency (at
// ~20,000 writes/s, half a second) and memory: callers are better told to
// back off.
inline constexpr int kDefaultMaxQueuedWrites = 10000;

// Runs write operations on a dedicated thread, batching them into shared
// transactions.
//
//   SqliteGroupCommitWriter writer(SqliteTransactions(std::move(conn)), 256);
//   absl::Status s = writer.Run([](SqliteConnection& c) { ...; return absl::OkStatus(); });
//
// Thread-safe. Operations run one at a time on the writer thread. Completion
// callbacks run after the commit, in commit order, on the completion
// thread: they must not call back into blocking writes (that would
// deadlock).
template <typename Policy>
class GroupCommitWriter {
 public:
  using Connection = typename Policy::Connection;
  // A write; runs inside its own SAVEPOINT. A non-OK result (or an engine
  // error) rolls back just this operation.
  using Op = std::function<absl::Status(Connection&)>;
  // Gets the operation's final status: OK only if its transaction committed.
  using Done = std::function<void(absl::Status)>;

  // Starts the writer thread on `policy` (and the connection it owns).
  // `max_batch` bounds the operations per transaction, `max_queued` the
  // operations waiting for the writer (more are refused at once).
  GroupCommitWriter(Policy policy, int max_batch, int max_queued = kDefaultMaxQueuedWrites)
      : max_batch_(std::max(1, max_batch)),
        max_queued_(static_cast<size_t>(std::max(1, max_queued))),
        policy_(std::move(policy)) {
    // Started last: every member they use is initialised.
    thread_.emplace("store-writer", [this] { Loop(); });
    completion_thread_.emplace("store-complete", [this] { CompletionLoop(); });
  }

  // Calls Close().
  ~GroupCommitWriter() { Close(); }

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `op`; `done` is called exactly once, on the completion thread (or
  // inline with UNAVAILABLE if the writer is closed or `max_queued`
  // operations are already waiting: nothing was written, retry later).
  void Submit(Op op, Done done) {
    absl::Status refusal;
    {
      absl::MutexLock lock(&mu_);
      if (closing_) {
        refusal = absl::UnavailableError("storage: the store is closed");
      } else if (queue_.size() >= max_queued_) {
        ++stats_.refused;
        refusal = absl::UnavailableError(
            "storage: too many writes are waiting; nothing was written, retry with backoff");
      } else {
        queue_.push_back(Pending{std::move(op), std::move(done)});
        return;
      }
    }
    done(std::move(refusal));
  }

  // Queues `op` and waits for its final status.
  absl::Status Run(Op op) {
    absl::Notification finished;
    absl::Status result;
    Submit(std::move(op), [&](absl::Status status) {
      result = std::move(status);
      finished.Notify();
    });
    finished.WaitForNotification();
    return result;
  }

  // Runs every queued operation, stops the threads and closes the
  // connection. Idempotent.
  void Close() {
    absl::MutexLock close_lock(&close_mu_);
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    thread_->Join();
    {
      absl::MutexLock lock(&completion_mu_);
      writer_stopped_ = true;
    }
    completion_thread_->Join();
    policy_.reset();
  }

  WriterStats stats() const {
    absl::MutexLock lock(&mu_);
    WriterStats stats = stats_;
    stats.queued = static_cast<int64_t>(queue_.size());
    return stats;
  }

 private:
  struct Pending {
    Op op;
    Done done;
  };
  struct Completion {
    Done done;
    absl::Status status;
  };

  void Loop() {
    std::vector<Pending> batch;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &GroupCommitWriter::HasWorkOrClosing));
        if (queue_.empty()) return;  // closing and drained
        while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      RunBatch(batch);
      batch.clear();
    }
  }

  bool HasWorkOrClosing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || closing_;
  }
  bool HasCompletionsOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(completion_mu_) {
    return !completions_.empty() || writer_stopped_;
  }

  // Runs `batch` in one transaction and completes every entry.
  void RunBatch(std::vector<Pending>& batch) {
    Policy& policy = *policy_;
    std::vector<absl::Status> results(batch.size());
    bool committed = false;  // a lone failing write ends in ROLLBACK, not COMMIT
    absl::Status txn = policy.Begin();
    if (txn.ok() && batch.size() == 1) {
      // Alone in its transaction, the write needs no savepoint: if it fails,
      // the whole transaction is rolled back and the write gets its own
      // error.
      results[0] = policy.Run(batch[0].op);
      if (results[0].ok()) {
        txn = policy.Commit();
        committed = txn.ok();
        if (!txn.ok()) policy.Rollback();
      } else {
        policy.Rollback();
      }
    } else if (txn.ok()) {
      for (size_t i = 0; i < batch.size() && txn.ok(); ++i) {
        txn = policy.Savepoint();
        if (!txn.ok()) break;
        results[i] = policy.Run(batch[i].op);
        if (!results[i].ok()) txn = policy.RollbackToSavepoint();
        if (txn.ok()) txn = policy.ReleaseSavepoint();
      }
      if (txn.ok()) txn = policy.Commit();
      committed = txn.ok();
      // Nothing of this batch is durable; make sure the transaction is gone.
      if (!txn.ok()) policy.Rollback();
    }
    {
      absl::MutexLock lock(&mu_);
      stats_.ops += static_cast<int64_t>(batch.size());
      if (committed) ++stats_.commits;
      stats_.max_batch = std::max<int64_t>(stats_.max_batch, static_cast<int64_t>(batch.size()));
    }
    absl::MutexLock lock(&completion_mu_);
    for (size_t i = 0; i < batch.size(); ++i) {
      completions_.push_back(
          Completion{std::move(batch[i].done), txn.ok() ? std::move(results[i]) : txn});
      batch[i].op = nullptr;  // release captures before the next batch
    }
  }

  void CompletionLoop() {
    std::vector<Completion> ready;
    while (true) {
      {
        absl::MutexLock lock(&completion_mu_);
        completion_mu_.Await(absl::Condition(this, &GroupCommitWriter::HasCompletionsOrStopped));
        if (completions_.empty()) return;  // the writer has stopped and all ran
        ready.swap(completions_);
      }
      for (Completion& completion : ready) completion.done(std::move(completion.status));
      ready.clear();
    }
  }

  const int max_batch_;
  const size_t max_queued_;
  // Used only by the writer thread (and destroyed after it has joined).
  std::optional<Policy> policy_;

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

#endif  // STORAGE_GROUP_COMMIT_WRITER_H_
