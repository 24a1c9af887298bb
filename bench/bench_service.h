// The bench-only service of //bench:bench_server (bench_control.proto):
// NoopRaw and NoopRest, registered in the server's method table through
// ServerOptions' hooks so they pass the same auth/scope/metrics wrapper as
// GetActiveSessions.
//
// Usage (see bench_server.cc):
//   sessions::bench::BenchService bench;
//   options.extra_grpc_services = {bench.grpc_service()};
//   options.register_extra_methods = [&](MethodTable* t, LiveView* v) {
//     bench.RegisterIn(t, v);
//   };
//
// Thread-safety: RegisterIn() once before serving; calls are thread-safe.
#ifndef BENCH_BENCH_SERVICE_H_
#define BENCH_BENCH_SERVICE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/support/slice.h"
#include "service/call_context.h"
#include "service/encoded_message.h"
#include "service/handlers/portal_handler.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::bench {

// What GetActiveSessions answers one caller for one request, computed once.
struct CachedAnswer {
  // As GetActiveSessions gives it (NoopRest's reply): the live view's
  // sessions (with their cached renderings) and the rest of the response.
  voice::api::app::portal::v1::GetActiveSessionsResponse rest;
  std::vector<std::shared_ptr<const EncodedMessage>> elements;
  grpc::Slice serialized;  // its wire form (NoopRaw's reply)
};

// Caches the real handler's answers, keyed by caller (account, customer
// restriction, scopes) and request bytes. Thread-safe.
class AnswerCache {
 public:
  // `view` is not owned and must outlive the cache.
  explicit AnswerCache(LiveView* view) : handler_(view) {}

  // Returns the cached answer, running PortalHandler::GetActiveSessions on a
  // miss. Errors: the handler's (not cached).
  absl::StatusOr<std::shared_ptr<const CachedAnswer>> Get(
      const CallContext& context,
      const voice::api::app::portal::v1::GetActiveSessionsRequest& request);

 private:
  PortalHandler handler_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const CachedAnswer>> answers_
      ABSL_GUARDED_BY(mu_);
};

class BenchService {
 public:
  BenchService();
  ~BenchService();
  BenchService(const BenchService&) = delete;
  BenchService& operator=(const BenchService&) = delete;

  // Registers NoopRaw and NoopRest in `table` (scope sessions:read).
  // Both pointers are not owned and must outlive this object.
  void RegisterIn(MethodTable* table, LiveView* view);

  // The gRPC adapter to add to ServerOptions::extra_grpc_services (owned).
  grpc::Service* grpc_service();

 private:
  class GrpcAdapter;
  std::unique_ptr<AnswerCache> cache_;
  std::unique_ptr<GrpcAdapter> adapter_;
};

}  // namespace sessions::bench

#endif  // BENCH_BENCH_SERVICE_H_
