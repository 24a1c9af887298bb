// Request metrics (Prometheus, via prometheus-cpp) and the access log of
// every call. Implements CallObserver for the method table (both
// transports) and the gateway's HttpMetrics (HTTP-level outcomes, and the
// text the gateway serves on /metrics).
#ifndef SERVER_SERVER_METRICS_H_
#define SERVER_SERVER_METRICS_H_

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/log_rate_limiter.h"
#include "gateway/transcode/http_metrics.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "service/method_table.h"

namespace sessions {

// Thread-safe. Series are created on first use and cached, so the hot path
// is one hash lookup under a shared lock.
class ServerMetrics final : public CallObserver, public gateway::HttpMetrics {
 public:
  ServerMetrics();

  // Records an RPC (from either transport) and writes one access-log line
  // (method, transport, code, latency, token id — never the token). Lines
  // of calls without a valid token are rate-limited (kAnonymousLogBurst
  // per second, then one line saying how many were held back): whoever
  // sends them chooses their rate.
  void OnCallDone(const google::protobuf::MethodDescriptor& method, const CallContext& context,
                  const absl::Status& status, absl::Duration elapsed) override;

  // Records one HTTP request of the gateway by route template and status.
  void RecordHttp(absl::string_view route, absl::string_view http_method, int status_code,
                  absl::Duration elapsed) override;

  // Adds metrics read at scrape time (e.g. StoreMetrics) to RenderText().
  // Call before the server starts serving.
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);

  // Renders the registry and the added collectables in the Prometheus text
  // exposition format.
  std::string RenderText() const override;

  static constexpr int kAnonymousLogBurst = 10;

 private:
  struct Series {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  Series& GetSeries(const std::string& key, const prometheus::Labels& labels,
                    prometheus::Family<prometheus::Counter>& counters,
                    prometheus::Family<prometheus::Histogram>& histograms);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpc_count_;
  prometheus::Family<prometheus::Histogram>& rpc_latency_;
  prometheus::Family<prometheus::Counter>& http_count_;
  prometheus::Family<prometheus::Histogram>& http_latency_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Series> series_ ABSL_GUARDED_BY(mu_);
  LogRateLimiter anonymous_log_{kAnonymousLogBurst, absl::Seconds(1)};
};

}  // namespace sessions

#endif  // SERVER_SERVER_METRICS_H_
