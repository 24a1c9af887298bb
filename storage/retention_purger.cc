#include "storage/retention_purger.h"

#include <utility>

namespace sessions {

RetentionPurger::RetentionPurger(std::string thread_name, absl::Duration interval, int batch_size,
                                 PurgeBatch purge)
    : interval_(interval), batch_size_(batch_size), purge_(std::move(purge)) {
  thread_.emplace(std::move(thread_name), [this] { Loop(); });
}

RetentionPurger::~RetentionPurger() { Stop(); }

void RetentionPurger::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_->Join();
}

PurgeStats RetentionPurger::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void RetentionPurger::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_);
      if (stopping_) return;
      ++stats_.passes;
    }
    // Batch after batch while they come back full, checking for Stop().
    while (true) {
      absl::StatusOr<int> purged = purge_();
      absl::MutexLock lock(&mu_);
      if (!purged.ok()) {
        ++stats_.failed;
        break;
      }
      stats_.purged += *purged;
      if (*purged < batch_size_ || stopping_) break;
    }
  }
}

}  // namespace sessions
