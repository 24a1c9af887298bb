#include "bench/bench_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "bench/bench_control.grpc.pb.h"
#include "grpcpp/support/byte_buffer.h"
#include "service/grpc/grpc_status_util.h"
#include "service/grpc/grpc_unary_call.h"

namespace sessions::bench {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
namespace v1 = ::sessions::bench::v1;

constexpr char kNoopRaw[] = "sessions.bench.v1.BenchControlService.NoopRaw";
constexpr char kNoopRest[] = "sessions.bench.v1.BenchControlService.NoopRest";

std::string CacheKey(const CallContext& context, const GetActiveSessionsRequest& request) {
  const Principal& p = context.principal;
  return absl::StrCat(p.account_id, "\x1f", p.customer_id, "\x1f", p.scopes, "\x1f",
                      request.SerializeAsString());
}

const google::protobuf::MethodDescriptor* Method(const char* full_name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CachedAnswer>> AnswerCache::Get(
    const CallContext& context, const GetActiveSessionsRequest& request) {
  const std::string key = CacheKey(context, request);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = answers_.find(key);
    if (it != answers_.end()) return it->second;
  }
  auto answer = std::make_shared<CachedAnswer>();
  absl::Status status;
  absl::Notification done;  // at once unless the request waits for a min_revision
  EncodedResponse encoded{&answer->rest, {}};
  handler_.GetActiveSessions(context, request, &encoded, [&](absl::Status s) {
    status = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  if (!status.ok()) return status;
  answer->elements = encoded.elements;
  std::string wire;
  AppendWireForm(encoded, &wire);
  answer->serialized = grpc::Slice(std::move(wire));
  absl::MutexLock lock(&mu_);
  return answers_.try_emplace(key, std::move(answer)).first->second;
}

// gRPC adapter: NoopRaw as a raw callback method (request and reply stay
// ByteBuffers; the reply is a reference to the cached slice), NoopRest as
// the encoded method it is (RunEncodedUnaryCall, like GetActiveSessions).
class BenchService::GrpcAdapter final
    : public v1::BenchControlService::WithRawCallbackMethod_NoopRaw<
          v1::BenchControlService::WithRawCallbackMethod_NoopRest<
              v1::BenchControlService::Service>> {
 public:
  // Called once by RegisterIn(), before the server serves; both not owned.
  void SetTable(const MethodTable* table, AnswerCache* cache) {
    table_ = table;
    cache_ = cache;
    noop_ = table->Find(kNoopRaw);
    rest_ = table->Find(kNoopRest);
  }

  grpc::ServerUnaryReactor* NoopRest(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override {
    return RunEncodedUnaryCall<GetActiveSessionsRequest, GetActiveSessionsResponse>(
        *table_, *rest_, context, request, response);
  }

  grpc::ServerUnaryReactor* NoopRaw(grpc::CallbackServerContext* grpc_context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    grpc::ServerUnaryReactor* reactor = grpc_context->DefaultReactor();
    // Owned by the completion callback, which runs exactly once.
    struct Call {
      explicit Call(const grpc::CallbackServerContext* c) : grpc(c) {}
      GrpcCallContext grpc;
      GetActiveSessionsRequest request;
      GetActiveSessionsResponse unused_response;  // the reply is raw bytes
    };
    auto* call = new Call(grpc_context);
    grpc::ByteBuffer copy(*request);  // shares the slices
    grpc::Status parsed =
        grpc::SerializationTraits<GetActiveSessionsRequest>::Deserialize(&copy, &call->request);
    if (!parsed.ok()) {
      delete call;
      reactor->Finish(parsed);
      return reactor;
    }
    table_->Invoke(*noop_, call->grpc.context(), call->request, &call->unused_response,
                   [this, reactor, call, response](absl::Status status) {
                     if (status.ok()) {
                       absl::StatusOr<std::shared_ptr<const CachedAnswer>> answer =
                           cache_->Get(*call->grpc.context(), call->request);
                       if (answer.ok()) {
                         *response = grpc::ByteBuffer(&(*answer)->serialized, 1);
                       } else {
                         status = answer.status();
                       }
                     }
                     delete call;
                     reactor->Finish(ToGrpcStatus(status));
                   });
    return reactor;
  }

 private:
  AnswerCache* cache_ = nullptr;
  const MethodTable* table_ = nullptr;
  const MethodEntry* noop_ = nullptr;
  const MethodEntry* rest_ = nullptr;
};

BenchService::BenchService() = default;
BenchService::~BenchService() = default;

void BenchService::RegisterIn(MethodTable* table, LiveView* view) {
  cache_ = std::make_unique<AnswerCache>(view);
  AnswerCache* cache = cache_.get();
  // NoopRaw's table handler does no work: the adapter replies with the
  // cached bytes once auth and scope checks pass.
  table->Register<GetActiveSessionsRequest, GetActiveSessionsResponse>(
      Method(kNoopRaw), Scope::kSessionsRead,
      [](const CallContext&, const GetActiveSessionsRequest&, GetActiveSessionsResponse*) {
        return absl::OkStatus();
      });
  table->RegisterEncoded<GetActiveSessionsRequest, GetActiveSessionsResponse>(
      Method(kNoopRest), Scope::kSessionsRead,
      [cache](const CallContext& context, const GetActiveSessionsRequest& request,
              EncodedResponse* response, DoneCallback done) {
        absl::StatusOr<std::shared_ptr<const CachedAnswer>> answer = cache->Get(context, request);
        if (!answer.ok()) return done(answer.status());
        response->message->CopyFrom((*answer)->rest);
        response->elements = (*answer)->elements;
        done(absl::OkStatus());
      });
  grpc_service();  // makes the adapter if main() has not asked for it yet
  adapter_->SetTable(table, cache);
}

grpc::Service* BenchService::grpc_service() {
  if (adapter_ == nullptr) adapter_ = std::make_unique<GrpcAdapter>();
  return adapter_.get();
}

}  // namespace sessions::bench
