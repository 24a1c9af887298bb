// Prometheus metrics of the store's write path, read from its counters at
// scrape time: writes and commits (their ratio is the group commit's batch
// size), the writer's queue, retention purges, and on SQLite the WAL
// checkpoints by thread.
// Added to ServerMetrics, so /metrics shows them beside the request metrics.
#ifndef SERVER_STORE_METRICS_H_
#define SERVER_STORE_METRICS_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "storage/session_store.h"

namespace sessions {

class StoreMetrics final : public prometheus::Collectable {
 public:
  // `store` is not owned and must outlive every Collect() call.
  explicit StoreMetrics(const SessionStore* store) : store_(store) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const SessionStore* store_;
};

}  // namespace sessions

#endif  // SERVER_STORE_METRICS_H_
