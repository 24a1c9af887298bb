// Thin gRPC (callback API) adapter of PortalService: forwards each call to
// its method-table entry, where auth, validation and metrics happen.
#ifndef SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_
#define SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_

#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

namespace sessions {

class PortalGrpcService final : public voice::api::app::portal::v1::PortalService::CallbackService {
 public:
  // `table` is not owned, must outlive this service and have the portal
  // methods registered (PortalHandler::RegisterIn).
  explicit PortalGrpcService(const MethodTable* table);

  grpc::ServerUnaryReactor* GetActiveSessions(
      grpc::CallbackServerContext* context,
      const voice::api::app::portal::v1::GetActiveSessionsRequest* request,
      voice::api::app::portal::v1::GetActiveSessionsResponse* response) override;

  grpc::ServerWriteReactor<voice::api::app::portal::v1::WatchActiveSessionsResponse>*
  WatchActiveSessions(
      grpc::CallbackServerContext* context,
      const voice::api::app::portal::v1::WatchActiveSessionsRequest* request) override;

 private:
  const MethodTable* table_;
  const MethodEntry* get_active_sessions_;
  const StreamEntry* watch_active_sessions_;
};

}  // namespace sessions

#endif  // SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_
