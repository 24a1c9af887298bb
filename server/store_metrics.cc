#include "server/store_metrics.h"

#include "server/metric_family.h"

namespace sessions {
using prometheus::MetricType;

std::vector<prometheus::MetricFamily> StoreMetrics::Collect() const {
  const WriterStats writes = store_->stats();
  const CheckpointStats checkpoints = store_->checkpoint_stats();
  const PurgeStats purges = store_->purge_stats();
  return {
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
      MakeFamily("sessions_store_wal_checkpoints_total",
                 "WAL checkpoints by the thread that ran them", MetricType::Counter,
                 {{checkpoints.background, {"thread", "background"}},
                  {checkpoints.inline_, {"thread", "writer"}}}),
      MakeFamily("sessions_store_wal_checkpoint_failures_total",
                 "WAL checkpoints that failed (retried later)", MetricType::Counter,
                 {{checkpoints.failed, {}}}),
      MakeFamily("sessions_store_purged_sessions_total",
                 "Ended sessions deleted past the retention window", MetricType::Counter,
                 {{purges.purged, {}}}),
      MakeFamily("sessions_store_purge_failures_total",
                 "Retention purge batches that failed (retried at the next pass)",
                 MetricType::Counter, {{purges.failed, {}}}),
  };
}

}  // namespace sessions
