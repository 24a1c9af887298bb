#include "service/grpc/portal_grpc_service.h"

#include <cstdio>
#include <cstdlib>

#include "service/grpc/grpc_unary_call.h"

namespace sessions {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;

PortalGrpcService::PortalGrpcService(const MethodTable* table)
    : table_(table),
      get_active_sessions_(table->Find("voice.api.app.portal.v1.PortalService.GetActiveSessions")) {
  if (get_active_sessions_ == nullptr) {  // a wiring bug, not a runtime condition
    std::fprintf(stderr, "PortalGrpcService: GetActiveSessions not registered\n");
    std::abort();
  }
}

grpc::ServerUnaryReactor* PortalGrpcService::GetActiveSessions(
    grpc::CallbackServerContext* context, const GetActiveSessionsRequest* request,
    GetActiveSessionsResponse* response) {
  return RunUnaryCall(*table_, *get_active_sessions_, context, request, response);
}

}  // namespace sessions
