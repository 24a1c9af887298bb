// Prometheus metrics of the live view and its watches, read at scrape time:
// the view's revision and its lag behind the store, the sessions it holds,
// open watch streams by transport, events sent, changes coalesced, streams
// ended because their client read too slowly.
#ifndef SERVER_LIVE_VIEW_METRICS_H_
#define SERVER_LIVE_VIEW_METRICS_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "service/handlers/watch_handler.h"
#include "service/live_view.h"

namespace sessions {

class LiveViewMetrics final : public prometheus::Collectable {
 public:
  // Both are not owned and must outlive every Collect() call.
  LiveViewMetrics(const LiveView* view, const WatchHandler* watches)
      : view_(view), watches_(watches) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const LiveView* view_;
  const WatchHandler* watches_;
};

}  // namespace sessions

#endif  // SERVER_LIVE_VIEW_METRICS_H_
