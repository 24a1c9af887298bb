#include "server/store_metrics.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace sessions {
namespace {

using prometheus::MetricType;

// One sample of a family; `label` is empty or {name, value}.
struct Sample {
  int64_t value;
  prometheus::ClientMetric::Label label;
};

prometheus::MetricFamily Family(std::string name, std::string help, MetricType type,
                                std::initializer_list<Sample> samples) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  for (const Sample& sample : samples) {
    prometheus::ClientMetric metric;
    if (!sample.label.name.empty()) metric.label.push_back(sample.label);
    (type == MetricType::Counter ? metric.counter.value : metric.gauge.value) =
        static_cast<double>(sample.value);
    family.metric.push_back(std::move(metric));
  }
  return family;
}

}  // namespace

std::vector<prometheus::MetricFamily> StoreMetrics::Collect() const {
  const WriterStats writes = store_->stats();
  const CheckpointStats checkpoints = store_->checkpoint_stats();
  return {
      Family("sessions_store_write_ops_total", "Write operations the store completed (any outcome)",
             MetricType::Counter, {{writes.ops, {}}}),
      Family("sessions_store_commits_total",
             "Transactions committed, one fsync each (ops / commits = group size)",
             MetricType::Counter, {{writes.commits, {}}}),
      Family("sessions_store_write_queue", "Write operations waiting for the writer thread",
             MetricType::Gauge, {{writes.queued, {}}}),
      Family("sessions_store_wal_checkpoints_total", "WAL checkpoints by the thread that ran them",
             MetricType::Counter,
             {{checkpoints.background, {"thread", "background"}},
              {checkpoints.inline_, {"thread", "writer"}}}),
      Family("sessions_store_wal_checkpoint_failures_total",
             "WAL checkpoints that failed (logged; retried later)", MetricType::Counter,
             {{checkpoints.failed, {}}}),
  };
}

}  // namespace sessions
