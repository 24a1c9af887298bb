#include "service/grpc/ingest_grpc_service.h"

#include "service/grpc/grpc_unary_call.h"

namespace sessions {

namespace v1 = ::voice::api::sessions::v1;

IngestGrpcService::IngestGrpcService(const MethodTable* table) : table_(table) {
#define SESSIONS_SET_ALLOCATOR(Name) SetMessageAllocatorFor_##Name(&Name##_allocator_);
  SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_SET_ALLOCATOR)
#undef SESSIONS_SET_ALLOCATOR
}

// Each method is the same one-line forward; the macro keeps the six in step.
#define SESSIONS_INGEST_METHOD(Name)                                                              \
  grpc::ServerUnaryReactor* IngestGrpcService::Name(grpc::CallbackServerContext* context,         \
                                                    const v1::Name##Request* request,             \
                                                    v1::Name##Response* response) {               \
    const MethodEntry* entry = table_->Find("voice.api.sessions.v1.SessionIngestService." #Name); \
    if (entry == nullptr) {                                                                       \
      auto* reactor = context->DefaultReactor();                                                  \
      reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, #Name));                      \
      return reactor;                                                                             \
    }                                                                                             \
    return RunUnaryCall(*table_, *entry, context, request, response);                             \
  }
SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_INGEST_METHOD)
#undef SESSIONS_INGEST_METHOD

}  // namespace sessions
