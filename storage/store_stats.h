// Counters every SessionStore engine keeps (SessionStore::stats(),
// purge_stats()), exported as metrics.
#ifndef STORAGE_STORE_STATS_H_
#define STORAGE_STORE_STATS_H_

#include <cstdint>

namespace sessions {

// Counters of the group-commit writer (storage/group_commit_writer.h).
struct WriterStats {
  int64_t ops = 0;        // write operations completed (any status)
  int64_t commits = 0;    // transactions committed (one flush each; not rollbacks)
  int64_t max_batch = 0;  // most operations in one transaction
  int64_t queued = 0;     // operations waiting for the writer right now
  int64_t refused = 0;    // operations refused because max_queued were waiting
};

// Counters of the retention purge (storage/retention_purger.h).
struct PurgeStats {
  int64_t passes = 0;  // wake-ups that ran at least one batch
  int64_t purged = 0;  // sessions deleted
  int64_t failed = 0;  // batches that returned an error (retried next pass)
};

}  // namespace sessions

#endif  // STORAGE_STORE_STATS_H_
