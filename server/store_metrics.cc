#include "server/store_metrics.h"

#include "server/metric_family.h"
#include "storage/sqlite/sqlite_session_store.h"

namespace sessions {
using prometheus::MetricType;

std::vector<prometheus::MetricFamily> StoreMetrics::Collect() const {
  const WriterStats writes = store_->stats();
  const PurgeStats purges = store_->purge_stats();
  std::vector<prometheus::MetricFamily> families = {
      MakeFamily("sessions_store_write_ops_total",
                 "Write operations the store completed (any outcome)", MetricType::Counter,
                 {{writes.ops, {}}}),
      MakeFamily("sessions_store_commits_total",
                 "Transactions committed, one fsync each (ops / commits = group size)",
                 MetricType::Counter, {{writes.commits, {}}}),
      MakeFamily("sessions_store_write_queue", "Write operations waiting for the writer thread",
                 MetricType::Gauge, {{writes.queued, {}}}),
      MakeFamily("sessions_store_writes_refused_total",
                 "Writes refused (UNAVAILABLE) because the write queue was full",
                 MetricType::Counter, {{writes.refused, {}}}),
      MakeFamily("sessions_store_purged_sessions_total",
                 "Ended sessions deleted past the retention window", MetricType::Counter,
                 {{purges.purged, {}}}),
      MakeFamily("sessions_store_purge_failures_total",
                 "Retention purge batches that failed (retried at the next pass)",
                 MetricType::Counter, {{purges.failed, {}}}),
  };
  // The SQLite engine's own: WAL checkpoints (PostgreSQL runs its own).
  if (const auto* sqlite = dynamic_cast<const SqliteSessionStore*>(store_)) {
    const CheckpointStats checkpoints = sqlite->checkpoint_stats();
    families.push_back(MakeFamily("sessions_store_wal_checkpoints_total",
                                  "WAL checkpoints by the thread that ran them",
                                  MetricType::Counter,
                                  {{checkpoints.background, {"thread", "background"}},
                                   {checkpoints.inline_, {"thread", "writer"}}}));
    families.push_back(MakeFamily("sessions_store_wal_checkpoint_failures_total",
                                  "WAL checkpoints that failed (retried later)",
                                  MetricType::Counter, {{checkpoints.failed, {}}}));
  }
  return families;
}

}  // namespace sessions
