#include "service/store_metrics.h"

#include <string>
#include <utility>

namespace sessions {
namespace {

prometheus::MetricFamily Family(std::string name, std::string help, prometheus::MetricType type) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

void AddValue(prometheus::MetricFamily* family, double value,
              prometheus::ClientMetric::Label label = {}) {
  prometheus::ClientMetric metric;
  if (!label.name.empty()) metric.label.push_back(std::move(label));
  if (family->type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family->metric.push_back(std::move(metric));
}

}  // namespace

std::vector<prometheus::MetricFamily> StoreMetrics::Collect() const {
  const WriterStats writes = store_->stats();
  const CheckpointStats checkpoints = store_->checkpoint_stats();
  std::vector<prometheus::MetricFamily> families;

  families.push_back(Family("sessions_store_write_ops_total",
                            "Write operations the store completed (any outcome)",
                            prometheus::MetricType::Counter));
  AddValue(&families.back(), static_cast<double>(writes.ops));
  families.push_back(Family("sessions_store_commits_total",
                            "Transactions committed, one fsync each (ops / commits = group size)",
                            prometheus::MetricType::Counter));
  AddValue(&families.back(), static_cast<double>(writes.commits));
  families.push_back(Family("sessions_store_write_queue",
                            "Write operations waiting for the writer thread",
                            prometheus::MetricType::Gauge));
  AddValue(&families.back(), static_cast<double>(writes.queued));
  families.push_back(Family("sessions_store_wal_checkpoints_total",
                            "WAL checkpoints by the thread that ran them",
                            prometheus::MetricType::Counter));
  AddValue(&families.back(), static_cast<double>(checkpoints.background), {"thread", "background"});
  AddValue(&families.back(), static_cast<double>(checkpoints.inline_), {"thread", "writer"});
  families.push_back(Family("sessions_store_wal_checkpoint_failures_total",
                            "WAL checkpoints that failed (logged; retried later)",
                            prometheus::MetricType::Counter));
  AddValue(&families.back(), static_cast<double>(checkpoints.failed));
  return families;
}

}  // namespace sessions
