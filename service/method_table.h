// The one place every RPC goes through, whatever the transport.
//
// Each RPC's logic is a core handler registered here under the method's
// descriptor. Invoke() wraps every call, in this order: refuse it if its
// deadline has passed, authenticate the bearer token (Authenticator), check
// the method's required scope, run the handler, let the transport hold
// the answer (CallContext::hold_answer), report the outcome (CallObserver: metrics + access log).
// The gRPC adapters and the REST gateway both call Invoke(), so auth, validation and metrics run
// once, in one place. (A gRPC C++ server interceptor cannot fail a call, which is why enforcement
// lives here.)
//
// Usage:
//   MethodTable table(&authenticator, &observer);
//   table.Register<GetActiveSessionsRequest, GetActiveSessionsResponse>(
//       PortalService::descriptor()->FindMethodByName("GetActiveSessions"),
//       Scope::kSessionsRead,
//       [&](const CallContext& ctx, const auto& req, auto* resp) { ... });
//   const MethodEntry* m = table.Find("voice.api.app.portal.v1.PortalService.GetActiveSessions");
//   table.Invoke(*m, &ctx, request, &response, [](absl::Status s) { ... });
//
// Thread-safety: Register() before serving; after that the table is
// immutable and Find()/Invoke() may be called concurrently.
#ifndef SERVICE_METHOD_TABLE_H_
#define SERVICE_METHOD_TABLE_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "service/authenticator.h"
#include "service/call_context.h"
#include "service/encoded_response.h"
#include "service/event_stream.h"
#include "service/principal.h"

namespace sessions {

// Called when a call's outcome is known; reports metrics and access logs.
// Implementations must be thread-safe and must not log secrets.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void OnCallDone(const google::protobuf::MethodDescriptor& method,
                          const CallContext& context, const absl::Status& status,
                          absl::Duration elapsed) = 0;
};

// Completion callback of a call; runs exactly once, possibly on another
// thread than Invoke()'s.
using DoneCallback = std::function<void(absl::Status)>;

// A type-erased core handler. It must call `done` exactly once.
using AsyncHandler = std::function<void(const CallContext&, const google::protobuf::Message&,
                                        google::protobuf::Message*, DoneCallback)>;

// A core handler that answers with encoded elements (EncodedResponse):
// `response->message` is of the method's output type. It must call `done`
// exactly once.
using EncodedHandler = std::function<void(const CallContext&, const google::protobuf::Message&,
                                          EncodedResponse*, DoneCallback)>;

// One registered method.
struct MethodEntry {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;  // not owned
  Scope required_scope = Scope::kSessionsRead;
  AsyncHandler handler;
  // Set for methods registered with RegisterEncoded(); `handler` then
  // answers the same with the elements parsed into the message.
  EncodedHandler encoded;
};

// A server-streaming core handler: validates and authorizes the request and
// returns the stream the transport then drains.
using StreamHandler = std::function<absl::StatusOr<std::shared_ptr<EventStream>>(
    const CallContext&, const google::protobuf::Message&)>;

// One registered server-streaming method.
struct StreamEntry {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;  // not owned
  Scope required_scope = Scope::kSessionsRead;
  StreamHandler handler;
};

class MethodTable {
 public:
  // `authenticator` and `observer` are not owned and must outlive the table;
  // `observer` may be null.
  MethodTable(Authenticator* authenticator, CallObserver* observer);

  MethodTable(const MethodTable&) = delete;
  MethodTable& operator=(const MethodTable&) = delete;

  // Registers a synchronous handler `absl::Status(const CallContext&,
  // const Req&, Resp*)`.
  template <typename Req, typename Resp, typename Fn>
  void Register(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                Fn handler) {
    RegisterAsync<Req, Resp>(
        method, required_scope,
        [handler = std::move(handler)](const CallContext& ctx, const Req& req, Resp* resp,
                                       DoneCallback done) { done(handler(ctx, req, resp)); });
  }

  // Registers an asynchronous handler `void(const CallContext&, const Req&,
  // Resp*, DoneCallback)` that completes later (e.g. a durable write waiting
  // for its group commit) without holding a transport thread.
  template <typename Req, typename Resp, typename Fn>
  void RegisterAsync(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                     Fn handler) {
    AddEntry(
        method, required_scope,
        [handler = std::move(handler)](const CallContext& ctx, const google::protobuf::Message& req,
                                       google::protobuf::Message* resp, DoneCallback done) {
          handler(ctx, static_cast<const Req&>(req), static_cast<Resp*>(resp), std::move(done));
        });
  }

  // Registers a handler `void(const CallContext&, const Req&,
  // EncodedResponse*, DoneCallback)` whose answers carry the elements of the
  // response's first field as stored bytes (see encoded_response.h; Resp
  // must allow that). Transports that can send such an answer call
  // InvokeEncoded(); Invoke() gets the same answer as a message.
  template <typename Req, typename Resp, typename Fn>
  void RegisterEncoded(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                       Fn handler) {
    AddEncodedEntry(
        method, required_scope,
        [handler = std::move(handler)](const CallContext& ctx, const google::protobuf::Message& req,
                                       EncodedResponse* resp, DoneCallback done) {
          handler(ctx, static_cast<const Req&>(req), resp, std::move(done));
        });
  }

  // Registers a server-streaming handler
  // `absl::StatusOr<std::shared_ptr<EventStream>>(const CallContext&, const Req&)`.
  template <typename Req, typename Fn>
  void RegisterStream(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                      Fn handler) {
    AddStreamEntry(method, required_scope,
                   [handler = std::move(handler)](const CallContext& ctx,
                                                  const google::protobuf::Message& req) {
                     return handler(ctx, static_cast<const Req&>(req));
                   });
  }

  // Returns the entry for a full method name ("pkg.Service.Method"), or null.
  const MethodEntry* Find(std::string_view full_name) const;
  const StreamEntry* FindStream(std::string_view full_name) const;

  // Returns every registered unary method, in registration order.
  std::vector<const MethodEntry*> Methods() const;
  // Returns every registered streaming method, in registration order.
  std::vector<const StreamEntry*> StreamMethods() const;

  // Runs the wrapped call: authenticate, check scope, run the handler,
  // report. Fills `context->principal`. `context`, `request` and `response`
  // must stay alive until `done` runs. Errors: UNAUTHENTICATED,
  // PERMISSION_DENIED (missing scope), or the handler's status.
  void Invoke(const MethodEntry& method, CallContext* context,
              const google::protobuf::Message& request, google::protobuf::Message* response,
              DoneCallback done) const;

  // Invoke() for a method registered with RegisterEncoded():
  // `response->message` must be set (of the method's output type, its
  // elements' field empty); the handler adds the elements.
  void InvokeEncoded(const MethodEntry& method, CallContext* context,
                     const google::protobuf::Message& request, EncodedResponse* response,
                     DoneCallback done) const;

  // Completes a call whose request could not be parsed as Invoke() would
  // an invalid one: authenticated and checked first (a caller without a
  // valid token learns nothing about its bytes), then `refusal`, reported
  // like any call.
  void Refuse(const MethodEntry& method, CallContext* context, absl::Status refusal,
              DoneCallback done) const;

  // Opens a stream the same way: authenticate, check scope, run the
  // handler. Fills `context->principal`. On error the call is reported at
  // once; otherwise the transport reports its end with StreamDone().
  absl::StatusOr<std::shared_ptr<EventStream>> OpenStream(
      const StreamEntry& method, CallContext* context,
      const google::protobuf::Message& request) const;

  // Refuse() for a stream whose request could not be parsed: returns (and
  // reports) the authentication error or `refusal`.
  absl::Status RefuseStream(const StreamEntry& method, CallContext* context,
                            absl::Status refusal) const;

  // Reports the end of a stream OpenStream() opened (metrics, access log).
  void StreamDone(const StreamEntry& method, const CallContext& context, const absl::Status& status,
                  absl::Duration elapsed) const;

 private:
  void AddEntry(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                AsyncHandler handler);
  void AddEncodedEntry(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                       EncodedHandler handler);
  void AddStreamEntry(const google::protobuf::MethodDescriptor* method, Scope required_scope,
                      StreamHandler handler);
  // Wraps `done` so that the call's outcome is reported first.
  DoneCallback Reported(const MethodEntry& method, const CallContext* context,
                        DoneCallback done) const;
  // Refuses a call whose deadline has passed (DEADLINE_EXCEEDED, before and
  // after authenticating), authenticates it and checks `required_scope`.
  absl::Status Admit(Scope required_scope, CallContext* context) const;

  Authenticator* authenticator_;
  CallObserver* observer_;
  std::vector<std::unique_ptr<MethodEntry>> entries_;
  absl::flat_hash_map<std::string, const MethodEntry*> by_name_;
  std::vector<std::unique_ptr<StreamEntry>> stream_entries_;
  absl::flat_hash_map<std::string, const StreamEntry*> streams_by_name_;
};

}  // namespace sessions

#endif  // SERVICE_METHOD_TABLE_H_
