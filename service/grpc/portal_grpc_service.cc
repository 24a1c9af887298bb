#include "service/grpc/portal_grpc_service.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "service/grpc/grpc_stream_call.h"
#include "service/grpc/grpc_unary_call.h"

namespace sessions {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::WatchActiveSessionsRequest;

PortalGrpcService::PortalGrpcService(const MethodTable* table, UnreadAnswers* unread)
    : table_(table),
      unread_(unread),
      get_active_sessions_(table->Find("voice.api.app.portal.v1.PortalService.GetActiveSessions")),
      watch_active_sessions_(
          table->FindStream("voice.api.app.portal.v1.PortalService.WatchActiveSessions")) {
  if (get_active_sessions_ == nullptr || watch_active_sessions_ == nullptr) {
    // A wiring bug, not a runtime condition.
    std::fprintf(stderr, "PortalGrpcService: a portal method is not registered\n");
    std::abort();
  }
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* PortalGrpcService::WatchActiveSessions(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  // Parsed here, used (copied into the watch's filter) before the call
  // object's constructor returns.
  WatchActiveSessionsRequest parsed;
  grpc::ByteBuffer bytes(*request);
  absl::StatusOr<const google::protobuf::Message*> message = &parsed;
  if (!grpc::SerializationTraits<WatchActiveSessionsRequest>::Deserialize(&bytes, &parsed).ok()) {
    message = absl::InvalidArgumentError(
        absl::StrCat("request: not a valid ", WatchActiveSessionsRequest::descriptor()->full_name(),
                     " message"));
  }
  return new GrpcStreamCall<grpc::ByteBuffer>(*table_, *watch_active_sessions_, context, message);
}

grpc::ServerUnaryReactor* PortalGrpcService::GetActiveSessions(grpc::CallbackServerContext* context,
                                                               const grpc::ByteBuffer* request,
                                                               grpc::ByteBuffer* response) {
  return RunEncodedUnaryCall<GetActiveSessionsRequest, GetActiveSessionsResponse>(
      *table_, *get_active_sessions_, context, request, response, unread_);
}

}  // namespace sessions
