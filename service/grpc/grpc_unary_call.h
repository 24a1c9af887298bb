// Glue between a gRPC callback-API unary method and the method table: the
// only code a gRPC service adapter needs per method is one call to
// RunRawUnaryCall() or RunEncodedUnaryCall() (methods registered raw) or
// RunUnaryCall().
//
//   grpc::ServerUnaryReactor* GetActiveSessions(grpc::CallbackServerContext* ctx,
//       const grpc::ByteBuffer* req, grpc::ByteBuffer* resp) override {
//     return RunRawUnaryCall<Req, Resp>(*table_, *entry_, ctx, req, resp);
//   }
//
// The services register their methods raw because gRPC's generated
// callback handler answers a request it cannot parse with UNIMPLEMENTED and
// never reaches the method table (no INVALID_ARGUMENT, no metric).
#ifndef SERVICE_GRPC_GRPC_UNARY_CALL_H_
#define SERVICE_GRPC_GRPC_UNARY_CALL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/slice.h"
#include "service/call_context.h"
#include "service/encoded_response.h"
#include "service/grpc/grpc_status_util.h"
#include "service/grpc/unread_answers.h"
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

// The state of one raw unary call: its request and response on one protobuf
// Arena that starts in a block inside this object. A request of a few
// kilobytes (a session with its members, logs and maps) is then parsed
// without a heap allocation per string, map entry and sub-message, and
// freed at once when the call ends; profiles of the ingest path showed
// malloc/free and message destruction at ~10 % of the gRPC threads' time.
template <typename Request, typename Response>
class RawUnaryCall {
 public:
  explicit RawUnaryCall(const grpc::CallbackServerContext* grpc_context)
      : arena_(ArenaOptions(initial_block_)),
        request_(google::protobuf::Arena::CreateMessage<Request>(&arena_)),
        response_(google::protobuf::Arena::CreateMessage<Response>(&arena_)),
        call_(grpc_context) {}
  RawUnaryCall(const RawUnaryCall&) = delete;
  RawUnaryCall& operator=(const RawUnaryCall&) = delete;

  Request* request() { return request_; }
  Response* response() { return response_; }
  CallContext* context() { return call_.context(); }

 private:
  // Larger messages continue in heap blocks the arena allocates.
  static constexpr size_t kInitialBlockSize = 8192;

  static google::protobuf::ArenaOptions ArenaOptions(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kInitialBlockSize;
    return options;
  }

  alignas(8) char initial_block_[kInitialBlockSize];
  google::protobuf::Arena arena_;  // after the block it starts in
  Request* request_;
  Response* response_;
  GrpcCallContext call_;
};

// Parses a raw call's `request` into `call->request()`; when it is not a
// `Request`, completes the call through MethodTable::Refuse (INVALID_ARGUMENT,
// after authentication), deletes `call` and returns false.
template <typename Request, typename Call>
bool ParseRawRequest(const MethodTable& table, const MethodEntry& entry,
                     const grpc::ByteBuffer* request, grpc::ServerUnaryReactor* reactor,
                     Call* call) {
  grpc::ByteBuffer bytes(*request);  // shares the slices; Deserialize consumes it
  if (grpc::SerializationTraits<Request>::Deserialize(&bytes, call->request()).ok()) return true;
  table.Refuse(entry, call->context(),
               absl::InvalidArgumentError(absl::StrCat(
                   "request: not a valid ", Request::descriptor()->full_name(), " message")),
               [reactor, call](absl::Status status) {
                 delete call;
                 reactor->Finish(ToGrpcStatus(status));
               });
  return false;
}

// Runs `entry` for one call of a raw-registered method: parses `request`
// as `Request` (INVALID_ARGUMENT through MethodTable::Refuse when it is not
// one), and serializes the handler's `Response` into `response`.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* RunRawUnaryCall(const MethodTable& table, const MethodEntry& entry,
                                          grpc::CallbackServerContext* grpc_context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = grpc_context->DefaultReactor();
  // Owned by the completion callback, which runs exactly once.
  auto* call = new RawUnaryCall<Request, Response>(grpc_context);
  if (!ParseRawRequest<Request>(table, entry, request, reactor, call)) return reactor;
  table.Invoke(entry, call->context(), *call->request(), call->response(),
               [reactor, call, response](absl::Status status) {
                 grpc::Status result = ToGrpcStatus(status);
                 if (status.ok()) {
                   bool own_buffer = false;
                   result = grpc::SerializationTraits<Response>::Serialize(*call->response(),
                                                                           response, &own_buffer);
                 }
                 delete call;
                 reactor->Finish(result);
               });
  return reactor;
}

// A RawUnaryCall whose answer is an EncodedResponse around its response.
template <typename Request, typename Response>
class EncodedUnaryCall : public RawUnaryCall<Request, Response> {
 public:
  explicit EncodedUnaryCall(const grpc::CallbackServerContext* grpc_context)
      : RawUnaryCall<Request, Response>(grpc_context) {
    encoded_.message = this->response();
  }
  EncodedResponse* encoded() { return &encoded_; }

 private:
  EncodedResponse encoded_;
};

// A unary reactor that holds a place in UnreadAnswers for its answer from
// Hold() until gRPC is done with the call (the answer read by the client,
// or the call cancelled). Deletes itself.
class UnreadAnswerReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit UnreadAnswerReactor(UnreadAnswers* unread) : unread_(unread) {}

  // Takes a place for the caller's answer: RESOURCE_EXHAUSTED when its
  // token has none left. Runs as the call's CallContext::hold_answer, so a
  // refused answer is reported as refused. (Taken only once there is an
  // answer: held from admission, a client pipelining 16 calls was refused
  // now and then, its finished calls' OnDone still pending.)
  absl::Status Hold(const Principal& caller) {
    if (!unread_->TryAcquire(caller.token_id)) {
      return absl::ResourceExhaustedError(
          "this token's client has too many answers it has not read yet: read them, or make "
          "fewer calls at once");
    }
    token_id_ = caller.token_id;
    return absl::OkStatus();
  }

  void OnDone() override {
    if (token_id_.has_value()) unread_->Release(*token_id_);
    delete this;
  }

 private:
  UnreadAnswers* const unread_;
  std::optional<std::string> token_id_;
};

// As RunRawUnaryCall, for a method registered with RegisterEncoded(): the
// answer's wire form is assembled from its encoded elements
// (AppendWireForm), which are never built as messages. With `unread` set,
// a token's answers its client has not read yet are bounded (see
// unread_answers.h).
template <typename Request, typename Response>
grpc::ServerUnaryReactor* RunEncodedUnaryCall(const MethodTable& table, const MethodEntry& entry,
                                              grpc::CallbackServerContext* grpc_context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response,
                                              UnreadAnswers* unread = nullptr) {
  UnreadAnswerReactor* budgeted = unread != nullptr ? new UnreadAnswerReactor(unread) : nullptr;
  grpc::ServerUnaryReactor* reactor =
      budgeted != nullptr ? budgeted : grpc_context->DefaultReactor();
  // Owned by the completion callback, which runs exactly once.
  auto* call = new EncodedUnaryCall<Request, Response>(grpc_context);
  if (budgeted != nullptr) {
    call->context()->hold_answer = [budgeted](const Principal& caller) {
      return budgeted->Hold(caller);
    };
  }
  if (!ParseRawRequest<Request>(table, entry, request, reactor, call)) return reactor;
  table.InvokeEncoded(entry, call->context(), *call->request(), call->encoded(),
                      [reactor, call, response](absl::Status status) {
                        if (status.ok()) {
                          // One slice that owns the bytes: gRPC sends them without a copy.
                          auto* wire = new std::string();
                          AppendWireForm(*call->encoded(), wire);
                          grpc::Slice slice(
                              wire->data(), wire->size(),
                              [](void* bytes) { delete static_cast<std::string*>(bytes); }, wire);
                          *response = grpc::ByteBuffer(&slice, 1);
                        }
                        delete call;
                        reactor->Finish(ToGrpcStatus(status));
                      });
  return reactor;
}

}  // namespace sessions

#endif  // SERVICE_GRPC_GRPC_UNARY_CALL_H_
