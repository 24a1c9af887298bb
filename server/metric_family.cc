#include "server/metric_family.h"

#include <utility>

namespace sessions {

prometheus::MetricFamily MakeFamily(std::string name, std::string help, prometheus::MetricType type,
                                    std::initializer_list<MetricSample> samples) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  for (const MetricSample& sample : samples) {
    prometheus::ClientMetric metric;
    if (!sample.label.name.empty()) metric.label.push_back(sample.label);
    (type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value) =
        static_cast<double>(sample.value);
    family.metric.push_back(std::move(metric));
  }
  return family;
}

}  // namespace sessions
