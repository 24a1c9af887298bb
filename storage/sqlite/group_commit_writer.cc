#include "storage/sqlite/group_commit_writer.h"

#include <algorithm>
#include <utility>

#include "absl/synchronization/notification.h"

namespace sessions {
namespace {

// Runs the transaction-control statement `sql`; its failure aborts the batch.
absl::Status ExecControl(SqliteConnection& conn, const char* sql, const char* what) {
  return CatchSqlite(what, [&]() -> absl::Status {
    conn.Prepare(sql).exec();
    return absl::OkStatus();
  });
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<SqliteConnection> conn, int max_batch,
                                     int max_queued)
    : max_batch_(std::max(1, max_batch)),
      max_queued_(static_cast<size_t>(std::max(1, max_queued))),
      conn_(std::move(conn)) {
  // Started last: every member they use is initialised.
  thread_.emplace("store-writer", [this] { Loop(); });
  completion_thread_.emplace("store-complete", [this] { CompletionLoop(); });
}

GroupCommitWriter::~GroupCommitWriter() { Close(); }

void GroupCommitWriter::Submit(Op op, Done done) {
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

absl::Status GroupCommitWriter::Run(Op op) {
  absl::Notification finished;
  absl::Status result;
  Submit(std::move(op), [&](absl::Status status) {
    result = std::move(status);
    finished.Notify();
  });
  finished.WaitForNotification();
  return result;
}

void GroupCommitWriter::Close() {
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
  conn_.reset();
}

WriterStats GroupCommitWriter::stats() const {
  absl::MutexLock lock(&mu_);
  WriterStats stats = stats_;
  stats.queued = static_cast<int64_t>(queue_.size());
  return stats;
}

void GroupCommitWriter::Loop() {
  std::vector<Pending> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](GroupCommitWriter* w)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) { return !w->queue_.empty() || w->closing_; },
          this));
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

void GroupCommitWriter::RunBatch(std::vector<Pending>& batch) {
  std::vector<absl::Status> results(batch.size());
  bool committed = false;  // a lone failing write ends in ROLLBACK, not COMMIT
  absl::Status txn = ExecControl(*conn_, "BEGIN IMMEDIATE", "begin write transaction");
  if (txn.ok() && batch.size() == 1) {
    // Alone in its transaction, the write needs no savepoint: if it fails,
    // the whole transaction is rolled back and the write gets its own
    // error.
    results[0] = CatchSqlite("write", [&]() -> absl::Status { return batch[0].op(*conn_); });
    if (results[0].ok()) {
      txn = ExecControl(*conn_, "COMMIT", "commit write transaction");
      committed = txn.ok();
    } else {
      // Ends the transaction as a commit of nothing would; the write
      // completes with its own error below.
      conn_->ResetAll();
      txn = ExecControl(*conn_, "ROLLBACK", "roll back write");
    }
    if (!txn.ok()) conn_->db().tryExec("ROLLBACK");
  } else if (txn.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) {
      absl::Status s = ExecControl(*conn_, "SAVEPOINT op", "begin write");
      if (!s.ok()) {
        txn = s;
        break;
      }
      Op& op = batch[i].op;
      results[i] = CatchSqlite("write", [&]() -> absl::Status { return op(*conn_); });
      if (!results[i].ok()) {
        conn_->ResetAll();
        s = ExecControl(*conn_, "ROLLBACK TO op", "roll back write");
      }
      if (s.ok()) s = ExecControl(*conn_, "RELEASE op", "end write");
      if (!s.ok()) {
        txn = s;
        break;
      }
    }
    if (txn.ok()) txn = ExecControl(*conn_, "COMMIT", "commit write transaction");
    committed = txn.ok();
    if (!txn.ok()) {
      // Nothing of this batch is durable; make sure the transaction is gone.
      conn_->db().tryExec("ROLLBACK");
    }
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

void GroupCommitWriter::CompletionLoop() {
  std::vector<Completion> ready;
  while (true) {
    {
      absl::MutexLock lock(&completion_mu_);
      completion_mu_.Await(absl::Condition(
          +[](GroupCommitWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->completion_mu_) {
            return !w->completions_.empty() || w->writer_stopped_;
          },
          this));
      if (completions_.empty()) return;  // the writer has stopped and all ran
      ready.swap(completions_);
    }
    for (Completion& completion : ready) completion.done(std::move(completion.status));
    ready.clear();
  }
}

}  // namespace sessions
