// Thin gRPC (callback API) adapter of SessionIngestService: every method
// forwards to its method-table entry (auth, validation, durable write).
#ifndef SERVICE_INGEST_GRPC_SERVICE_H_
#define SERVICE_INGEST_GRPC_SERVICE_H_

#include "service/method_table.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

namespace sessions {

class IngestGrpcService final
    : public voice::api::sessions::v1::SessionIngestService::CallbackService {
 public:
  // `table` is not owned, must outlive this service and have the ingest
  // methods registered (IngestHandler::RegisterIn).
  explicit IngestGrpcService(const MethodTable* table) : table_(table) {}

#define SESSIONS_INGEST_METHOD(Name)                                                       \
  grpc::ServerUnaryReactor* Name(grpc::CallbackServerContext* context,                     \
                                 const voice::api::sessions::v1::Name##Request* request,   \
                                 voice::api::sessions::v1::Name##Response* response) override;
  SESSIONS_INGEST_METHOD(UpsertSession)
  SESSIONS_INGEST_METHOD(BatchUpsertSessions)
  SESSIONS_INGEST_METHOD(EndSession)
  SESSIONS_INGEST_METHOD(AppendSessionLog)
  SESSIONS_INGEST_METHOD(UpsertSessionMember)
  SESSIONS_INGEST_METHOD(RemoveSessionMember)
#undef SESSIONS_INGEST_METHOD

 private:
  const MethodTable* table_;
};

}  // namespace sessions

#endif  // SERVICE_INGEST_GRPC_SERVICE_H_
