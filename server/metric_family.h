// Builds a Prometheus metric family from values read at scrape time: the
// shape the scrape-time collectors (StoreMetrics, LiveViewMetrics) share.
#ifndef SERVER_METRIC_FAMILY_H_
#define SERVER_METRIC_FAMILY_H_

#include <cstdint>
#include <initializer_list>
#include <string>

#include "prometheus/metric_family.h"

namespace sessions {

// One sample of a family; `label` is empty or {name, value}.
struct MetricSample {
  int64_t value;
  prometheus::ClientMetric::Label label;
};

// A counter or gauge family with `samples`.
prometheus::MetricFamily MakeFamily(std::string name, std::string help, prometheus::MetricType type,
                                    std::initializer_list<MetricSample> samples);

}  // namespace sessions

#endif  // SERVER_METRIC_FAMILY_H_
