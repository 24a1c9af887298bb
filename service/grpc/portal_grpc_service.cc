#include "service/grpc/portal_grpc_service.h"

#include <cstdio>
#include <cstdlib>

#include "service/grpc/grpc_stream_call.h"
#include "service/grpc/grpc_unary_call.h"

namespace sessions {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::WatchActiveSessionsRequest;
using ::voice::api::app::portal::v1::WatchActiveSessionsResponse;

PortalGrpcService::PortalGrpcService(const MethodTable* table)
    : table_(table),
      get_active_sessions_(table->Find("voice.api.app.portal.v1.PortalService.GetActiveSessions")),
      watch_active_sessions_(
          table->FindStream("voice.api.app.portal.v1.PortalService.WatchActiveSessions")) {
  if (get_active_sessions_ == nullptr || watch_active_sessions_ == nullptr) {
    // A wiring bug, not a runtime condition.
    std::fprintf(stderr, "PortalGrpcService: a portal method is not registered\n");
    std::abort();
  }
}

grpc::ServerWriteReactor<WatchActiveSessionsResponse>* PortalGrpcService::WatchActiveSessions(
    grpc::CallbackServerContext* context, const WatchActiveSessionsRequest* request) {
  return new GrpcStreamCall<WatchActiveSessionsResponse>(*table_, *watch_active_sessions_, context,
                                                         *request);
}

grpc::ServerUnaryReactor* PortalGrpcService::GetActiveSessions(
    grpc::CallbackServerContext* context, const GetActiveSessionsRequest* request,
    GetActiveSessionsResponse* response) {
  return RunUnaryCall(*table_, *get_active_sessions_, context, request, response);
}

}  // namespace sessions
