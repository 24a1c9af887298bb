// Thin gRPC (callback API) adapter of PortalService: forwards each call to
// its method-table entry, where auth, validation and metrics happen.
#ifndef SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_
#define SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_

#include "service/grpc/unread_answers.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

namespace sessions {

// Both methods are registered raw: WatchActiveSessions' messages go out as
// the bytes the watch encodes from stored sessions (Watch::PopSerialized),
// so no watcher parses or serializes a session; GetActiveSessions is parsed
// by RunRawUnaryCall (an unparsable request is INVALID_ARGUMENT).
class PortalGrpcService final
    : public voice::api::app::portal::v1::PortalService::WithRawCallbackMethod_GetActiveSessions<
          voice::api::app::portal::v1::PortalService::WithRawCallbackMethod_WatchActiveSessions<
              voice::api::app::portal::v1::PortalService::CallbackService>> {
 public:
  // `table` is not owned, must outlive this service and have the portal
  // methods registered (PortalHandler::RegisterIn). `unread` (not owned;
  // null: no bound) bounds each token's GetActiveSessions answers not yet
  // read by its client.
  PortalGrpcService(const MethodTable* table, UnreadAnswers* unread);

  grpc::ServerUnaryReactor* GetActiveSessions(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;

  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchActiveSessions(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

 private:
  const MethodTable* table_;
  UnreadAnswers* unread_;
  const MethodEntry* get_active_sessions_;
  const StreamEntry* watch_active_sessions_;
};

}  // namespace sessions

#endif  // SERVICE_GRPC_PORTAL_GRPC_SERVICE_H_
