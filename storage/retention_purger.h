// Background retention for the store: every `interval`, deletes ended
// sessions older than the retention window, one bounded batch per write
// transaction until none is left, so writers queued behind a purge wait for
// one short transaction at a time. What a batch deletes (and how it moves
// the compaction horizon) is the store's business: the purger only calls it.
#ifndef STORAGE_RETENTION_PURGER_H_
#define STORAGE_RETENTION_PURGER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/worker_thread.h"
#include "storage/store_stats.h"

namespace sessions {

// How long ended sessions stay answerable by the change feed.
struct RetentionOptions {
  // Ended sessions are deleted this long after their last change; the
  // compaction horizon moves up to the newest deleted revision.
  absl::Duration keep_ended = absl::Hours(24);
  // How often the background purge runs; zero: never (PurgeExpired() only).
  absl::Duration purge_interval = absl::Minutes(1);
  // Most sessions deleted per write transaction.
  int purge_batch = 500;
};

// Runs a purge batch function on its own thread.
//
//   RetentionPurger purger("store-purge", absl::Minutes(1),
//                          [&] { return store.PurgeExpired(); });
//   ...
//   purger.Stop();  // before the store closes
//
// Thread-safe.
class RetentionPurger {
 public:
  // Deletes up to one batch; returns how many sessions it deleted.
  using PurgeBatch = std::function<absl::StatusOr<int>()>;

  // Starts the thread. `batch_size` is the batch function's bound: a batch
  // that deleted that many is followed by another at once.
  RetentionPurger(std::string thread_name, absl::Duration interval, int batch_size,
                  PurgeBatch purge);
  // Calls Stop().
  ~RetentionPurger();

  RetentionPurger(const RetentionPurger&) = delete;
  RetentionPurger& operator=(const RetentionPurger&) = delete;

  // Stops and joins the thread (an in-flight batch finishes). Idempotent.
  void Stop();

  PurgeStats stats() const;

 private:
  void Loop();

  const absl::Duration interval_;
  const int batch_size_;
  const PurgeBatch purge_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  PurgeStats stats_ ABSL_GUARDED_BY(mu_);

  std::optional<WorkerThread> thread_;
};

}  // namespace sessions

#endif  // STORAGE_RETENTION_PURGER_H_
