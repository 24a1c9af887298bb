#include "service/grpc/ingest_grpc_service.h"

#include "service/grpc/grpc_unary_call.h"

namespace sessions {

namespace v1 = ::voice::api::sessions::v1;

IngestGrpcService::IngestGrpcService(const MethodTable* table) : table_(table) {}

// Each method is the same one-line forward; the macro keeps the six in step.
#define SESSIONS_INGEST_METHOD(Name)                                                              \
  grpc::ServerUnaryReactor* IngestGrpcService::Name(grpc::CallbackServerContext* context,         \
                                                    const grpc::ByteBuffer* request,              \
                                                    grpc::ByteBuffer* response) {                 \
    const MethodEntry* entry = table_->Find("voice.api.sessions.v1.SessionIngestService." #Name); \
    if (entry == nullptr) {                                                                       \
      auto* reactor = context->DefaultReactor();                                                  \
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, #Name));                      \
      return reactor;                                                                             \
    }                                                                                             \
    return RunRawUnaryCall<v1::Name##Request, v1::Name##Response>(*table_, *entry, context,       \
                                                                  request, response);             \
  }
SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_INGEST_METHOD)
#undef SESSIONS_INGEST_METHOD

}  // namespace sessions
