// Test-only HttpMetrics: keeps every recorded request and renders them one
// per line ("route method status"), so gateway tests can check what was
// recorded and that /metrics serves RenderText(). Thread-safe.
#ifndef GATEWAY_TESTING_FAKE_HTTP_METRICS_H_
#define GATEWAY_TESTING_FAKE_HTTP_METRICS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gateway/transcode/http_metrics.h"

namespace sessions::gateway {

class FakeHttpMetrics final : public HttpMetrics {
 public:
  void RecordHttp(absl::string_view route, absl::string_view http_method, int status_code,
                  absl::Duration) override {
    absl::MutexLock lock(&mu_);
    lines_.push_back(absl::StrCat(route, " ", http_method, " ", status_code));
  }

  std::string RenderText() const override {
    absl::MutexLock lock(&mu_);
    return absl::StrCat(absl::StrJoin(lines_, "\n"), "\n");
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TESTING_FAKE_HTTP_METRICS_H_
