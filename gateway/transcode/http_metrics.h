// What the REST gateway reports about HTTP traffic and serves on /metrics.
// Implemented by the composition root's metrics (server/server_metrics.h),
// so the gateway does not depend on how metrics are kept.
#ifndef GATEWAY_TRANSCODE_HTTP_METRICS_H_
#define GATEWAY_TRANSCODE_HTTP_METRICS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sessions::gateway {

// Implementations must be thread-safe: every io thread records.
class HttpMetrics {
 public:
  virtual ~HttpMetrics() = default;

  // Records one HTTP request by route template ("unparsed" for a request
  // that could not be parsed), method and status.
  virtual void RecordHttp(absl::string_view route, absl::string_view http_method, int status_code,
                          absl::Duration elapsed) = 0;

  // Every metric of the process in the Prometheus text exposition format.
  virtual std::string RenderText() const = 0;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_HTTP_METRICS_H_
