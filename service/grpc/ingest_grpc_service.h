// Thin gRPC (callback API) adapter of SessionIngestService: every method
// forwards to its method-table entry (auth, validation, durable write).
// Requests and responses live on per-call arenas (ArenaMessageAllocator).
#ifndef SERVICE_GRPC_INGEST_GRPC_SERVICE_H_
#define SERVICE_GRPC_INGEST_GRPC_SERVICE_H_

#include "service/grpc/arena_message_allocator.h"
#include "service/method_table.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

// Applies X(Name) to each method of SessionIngestService.
#define SESSIONS_FOR_EACH_INGEST_METHOD(X) \
  X(UpsertSession)                         \
  X(BatchUpsertSessions)                   \
  X(EndSession)                            \
  X(AppendSessionLog)                      \
  X(UpsertSessionMember)                   \
  X(RemoveSessionMember)

namespace sessions {

class IngestGrpcService final
    : public voice::api::sessions::v1::SessionIngestService::CallbackService {
 public:
  // `table` is not owned, must outlive this service and have the ingest
  // methods registered (IngestHandler::RegisterIn).
  explicit IngestGrpcService(const MethodTable* table);

#define SESSIONS_INGEST_METHOD(Name)                                                     \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                   \
                                 const voice::api::sessions::v1::Name##Request* request, \
                                 voice::api::sessions::v1::Name##Response* response) override;
  SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_INGEST_METHOD)
#undef SESSIONS_INGEST_METHOD

 private:
  const MethodTable* table_;
#define SESSIONS_INGEST_ALLOCATOR(Name)                           \
  ArenaMessageAllocator<voice::api::sessions::v1::Name##Request,  \
                        voice::api::sessions::v1::Name##Response> \
      Name##_allocator_;
  SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_INGEST_ALLOCATOR)
#undef SESSIONS_INGEST_ALLOCATOR
};

}  // namespace sessions

#endif  // SERVICE_GRPC_INGEST_GRPC_SERVICE_H_
