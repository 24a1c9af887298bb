// Thin gRPC (callback API) adapter of SessionIngestService: every method
// is registered raw and forwards to its method-table entry (auth,
// validation, durable write) through RunRawUnaryCall, which parses it.
#ifndef SERVICE_GRPC_INGEST_GRPC_SERVICE_H_
#define SERVICE_GRPC_INGEST_GRPC_SERVICE_H_

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

namespace internal {
using IngestService = voice::api::sessions::v1::SessionIngestService;
// CallbackService with every method raw.
using RawIngestService = IngestService::WithRawCallbackMethod_UpsertSession<
    IngestService::WithRawCallbackMethod_BatchUpsertSessions<
        IngestService::WithRawCallbackMethod_EndSession<
            IngestService::WithRawCallbackMethod_AppendSessionLog<
                IngestService::WithRawCallbackMethod_UpsertSessionMember<
                    IngestService::WithRawCallbackMethod_RemoveSessionMember<
                        IngestService::CallbackService>>>>>>;
}  // namespace internal

class IngestGrpcService final : public internal::RawIngestService {
 public:
  // `table` is not owned, must outlive this service and have the ingest
  // methods registered (IngestHandler::RegisterIn).
  explicit IngestGrpcService(const MethodTable* table);

#define SESSIONS_INGEST_METHOD(Name)                                                          \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                        \
                                 const grpc::ByteBuffer* request, grpc::ByteBuffer* response) \
      override;
  SESSIONS_FOR_EACH_INGEST_METHOD(SESSIONS_INGEST_METHOD)
#undef SESSIONS_INGEST_METHOD

 private:
  const MethodTable* table_;
};

}  // namespace sessions

#endif  // SERVICE_GRPC_INGEST_GRPC_SERVICE_H_
