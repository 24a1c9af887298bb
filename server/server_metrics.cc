#include "server/server_metrics.h"

#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "prometheus/text_serializer.h"
#include "spdlog/spdlog.h"

namespace sessions {
namespace {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  return *buckets;
}

const char* TransportName(Transport transport) {
  return transport == Transport::kGrpc ? "grpc" : "http";
}

}  // namespace

ServerMetrics::ServerMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rpc_count_(prometheus::BuildCounter()
                     .Name("sessions_rpc_requests_total")
                     .Help("RPCs handled, by method, transport and status code.")
                     .Register(*registry_)),
      rpc_latency_(prometheus::BuildHistogram()
                       .Name("sessions_rpc_duration_seconds")
                       .Help("RPC handling time (auth + handler), by method, transport and code.")
                       .Register(*registry_)),
      http_count_(prometheus::BuildCounter()
                      .Name("sessions_http_requests_total")
                      .Help("HTTP requests of the REST gateway, by route, method and status.")
                      .Register(*registry_)),
      http_latency_(prometheus::BuildHistogram()
                        .Name("sessions_http_request_duration_seconds")
                        .Help("HTTP request time in the gateway, by route, method and status.")
                        .Register(*registry_)) {}

ServerMetrics::Series& ServerMetrics::GetSeries(
    const std::string& key, const prometheus::Labels& labels,
    prometheus::Family<prometheus::Counter>& counters,
    prometheus::Family<prometheus::Histogram>& histograms) {
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = series_.find(key);
    if (it != series_.end()) return it->second;
  }
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = series_.try_emplace(key, Series{nullptr, nullptr});
  if (inserted) {
    it->second.count = &counters.Add(labels);
    it->second.latency = &histograms.Add(labels, LatencyBuckets());
  }
  return it->second;
}

void ServerMetrics::OnCallDone(const google::protobuf::MethodDescriptor& method,
                               const CallContext& context, const absl::Status& status,
                               absl::Duration elapsed) {
  const char* transport = TransportName(context.transport);
  const std::string code = absl::StatusCodeToString(status.code());
  Series& series =
      GetSeries(absl::StrCat("rpc|", method.full_name(), "|", transport, "|", code),
                {{"method", method.full_name()}, {"transport", transport}, {"code", code}},
                rpc_count_, rpc_latency_);
  series.count->Increment();
  series.latency->Observe(absl::ToDoubleSeconds(elapsed));
  const bool anonymous = context.principal.token_id.empty();
  int64_t held_back = 0;
  if (anonymous && !anonymous_log_.Allow(absl::Now(), &held_back)) return;
  if (held_back > 0) {
    spdlog::info("rpc: {} more calls without a valid token were not logged", held_back);
  }
  // The token id is a public identifier; the secret never reaches here.
  spdlog::info("rpc method={} transport={} code={} latency_us={} token_id={} account={}",
               method.full_name(), transport, code, absl::ToInt64Microseconds(elapsed),
               anonymous ? "-" : context.principal.token_id,
               context.principal.account_id.empty() ? "-" : context.principal.account_id);
}

void ServerMetrics::RecordHttp(absl::string_view route, absl::string_view http_method,
                               int status_code, absl::Duration elapsed) {
  const std::string code = absl::StrCat(status_code);
  Series& series = GetSeries(
      absl::StrCat("http|", route, "|", http_method, "|", code),
      {{"route", std::string(route)}, {"method", std::string(http_method)}, {"code", code}},
      http_count_, http_latency_);
  series.count->Increment();
  series.latency->Observe(absl::ToDoubleSeconds(elapsed));
}

void ServerMetrics::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  collectables_.push_back(std::move(collectable));
}

std::string ServerMetrics::RenderText() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const auto& collectable : collectables_) {
    std::vector<prometheus::MetricFamily> more = collectable->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace sessions
