// Glue between a gRPC callback-API unary method and the method table: the
// only code a gRPC service adapter needs per method is one call to
// RunUnaryCall().
//
//   grpc::ServerUnaryReactor* GetActiveSessions(grpc::CallbackServerContext* ctx,
//       const Req* req, Resp* resp) override {
//     return RunUnaryCall(*table_, *entry_, ctx, req, resp);
//   }
#ifndef SERVICE_GRPC_GRPC_UNARY_CALL_H_
#define SERVICE_GRPC_GRPC_UNARY_CALL_H_

#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "service/call_context.h"
#include "service/grpc/grpc_status_util.h"
#include "service/method_table.h"

namespace sessions {

// MetadataView over a gRPC call's client metadata (keys are lower-case).
class GrpcMetadataView final : public MetadataView {
 public:
  // `context` is not owned and must outlive this view.
  explicit GrpcMetadataView(const grpc::CallbackServerContext* context) : context_(context) {}

  std::optional<std::string_view> Get(std::string_view key) const override {
    const auto& metadata = context_->client_metadata();
    auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
    if (it == metadata.end()) return std::nullopt;
    return std::string_view(it->second.data(), it->second.size());
  }

 private:
  const grpc::CallbackServerContext* context_;
};

// The CallContext of one gRPC call, for MethodTable::Invoke(): transport
// kGrpc, metadata read from the call's client metadata, the call's deadline. Not copyable (the
// context points at the metadata view it owns).
class GrpcCallContext {
 public:
  // `grpc_context` is not owned and must outlive this object.
  explicit GrpcCallContext(const grpc::CallbackServerContext* grpc_context)
      : metadata_(grpc_context) {
    context_.transport = Transport::kGrpc;
    context_.metadata = &metadata_;
    context_.deadline = absl::FromChrono(grpc_context->deadline());
  }
  GrpcCallContext(const GrpcCallContext&) = delete;
  GrpcCallContext& operator=(const GrpcCallContext&) = delete;

  CallContext* context() { return &context_; }

 private:
  GrpcMetadataView metadata_;
  CallContext context_;
};

// Runs `entry` for one gRPC call and finishes the call's default reactor
// when the handler completes (possibly later, on another thread).
inline grpc::ServerUnaryReactor* RunUnaryCall(const MethodTable& table, const MethodEntry& entry,
                                              grpc::CallbackServerContext* grpc_context,
                                              const google::protobuf::Message* request,
                                              google::protobuf::Message* response) {
  grpc::ServerUnaryReactor* reactor = grpc_context->DefaultReactor();
  // Owned by the completion callback, which runs exactly once.
  auto* call = new GrpcCallContext(grpc_context);
  table.Invoke(entry, call->context(), *request, response, [reactor, call](absl::Status status) {
    delete call;
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace sessions

#endif  // SERVICE_GRPC_GRPC_UNARY_CALL_H_
