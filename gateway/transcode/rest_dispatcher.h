// Turns one parsed HTTP request into one HTTP response: health, readiness
// and metrics endpoints, the OpenAPI document of the routes, ServiceStack's
// /types/typescript, /types/csharp and /types/metadata, the /metadata pages, ServiceStack Server
// Events
// (/event-stream, /event-heartbeat, /event-unregister), static assets (the dashboard), CORS
// preflight, routing (404 / 405), request binding, the direct call into the MethodTable (no gRPC
// channel), and the ServiceStack-dialect response (JSON or JSV, ResponseStatus errors, gzip, CORS);
// server-streaming methods as Server-Sent Events (SseBody; `Last-Event-ID` sets the request's
// start_revision). The socket side lives in gateway/http (HttpServer, HttpConnection), which calls
// this class through RequestHandler; it never blocks and never throws.
//
// Usage:
//   RestDispatcher dispatcher(env, routes.get(), options);
//   dispatcher.Dispatch(std::move(request), post_to_strand,
//                       [](HttpResponse r) { /* write it */ });
//
// Thread-safety: immutable after construction; Dispatch() may run
// concurrently. `env` pointers and `routes` are not owned and must outlive
// the dispatcher and every pending response callback.
#ifndef GATEWAY_TRANSCODE_REST_DISPATCHER_H_
#define GATEWAY_TRANSCODE_REST_DISPATCHER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/http/content_negotiation.h"
#include "gateway/http/cors_policy.h"
#include "gateway/http/http_types.h"
#include "gateway/http/request_handler.h"
#include "gateway/http/static_asset.h"
#include "gateway/transcode/http_metrics.h"
#include "gateway/transcode/http_status_map.h"
#include "gateway/transcode/route_table.h"
#include "gateway/transcode/server_events_endpoint.h"
#include "gateway/transcode/servicestack_dtos.h"
#include "service/method_table.h"

namespace sessions::gateway {

// What the gateway uses of the server; pointers are not owned and outlive
// the gateway.
struct GatewayEnvironment {
  const MethodTable* method_table = nullptr;
  // The reconnection delay Server-Sent Events streams suggest (`retry:`).
  absl::Duration sse_retry = absl::Seconds(3);
  HttpMetrics* metrics = nullptr;  // may be null: nothing recorded, empty /metrics
  // True while the store is open and the server is not draining (/readyz).
  std::function<bool()> is_ready;
};

class RestDispatcher final : public RequestHandler {
 public:
  // `static_assets` are served as they are at their paths (GET and HEAD, no
  // token, with a Content-Security-Policy that allows only their own
  // origin); "/dir" redirects to an asset at "/dir/".
  // `server_events` serves /event-stream from the streaming method named
  // there (none found: no Server Events).
  RestDispatcher(const GatewayEnvironment& env, const RouteTable* routes,
                 const std::vector<std::string>& cors_allowed_origins,
                 const std::vector<StaticAsset>& static_assets,
                 const ServerEventsOptions& server_events = {});

  void Dispatch(HttpRequest request, Poster post, Responder respond,
                StreamResponder stream) const override;

  // A JSON ResponseStatus error.
  HttpResponse TransportError(int http_status, absl::string_view error_code,
                              absl::string_view message) const override;

 private:
  struct Call;
  struct Batch;
  struct Target;

  void DispatchApi(HttpRequest request, Target target, Poster post, Responder respond,
                   StreamResponder stream) const;
  // Opens a server-streaming method as Server-Sent Events.
  void DispatchStream(std::shared_ptr<Call> call, StreamResponder stream) const;
  void Complete(Call& call, absl::Status status) const;
  // Runs the call's unary method; `done` gets its status.
  void InvokeUnary(Call& call, DoneCallback done) const;
  // Appends the call's answer in its format.
  absl::Status WriteAnswer(const Call& call, std::string* body) const;
  // ServiceStack auto-batching: POST <route>[] with an array of requests.
  void DispatchBatch(std::shared_ptr<Batch> batch) const;
  void RunBatchElement(std::shared_ptr<Batch> batch) const;
  HttpResponse ErrorResponse(const HttpError& error, ResponseFormat format) const;
  // Adds CORS and, when worth it, gzip; records metrics; then responds.
  void Finish(const HttpRequest& request, absl::string_view route_label, absl::Time start,
              HttpResponse response, const Responder& respond) const;
  bool ServeOperational(const HttpRequest& request, const Target& target,
                        const Responder& respond) const;
  bool ServeStatic(const HttpRequest& request, const Target& target,
                   const Responder& respond) const;
  // /metadata and /json/metadata?op=: ServiceStack's metadata pages.
  bool ServeMetadata(const HttpRequest& request, const Target& target,
                     const Responder& respond) const;
  // /event-stream, /event-heartbeat, /event-unregister: ServiceStack
  // Server Events over the watch of each channel.
  bool ServeServerEvents(const HttpRequest& request, const Target& target, const Responder& respond,
                         const StreamResponder& stream) const;
  void Subscribe(const HttpRequest& request, const Target& target, const Responder& respond,
                 const StreamResponder& stream) const;
  // /types/typescript, /types/csharp, /types/metadata: "Add ServiceStack
  // Reference" DTOs.
  bool ServeTypes(const HttpRequest& request, const Target& target, const Responder& respond) const;
  // Answers 405 (Allow: GET, HEAD) unless the request is a GET or HEAD;
  // returns whether it did.
  bool RefuseUnlessRead(const HttpRequest& request, absl::string_view label, absl::Time start,
                        const Responder& respond) const;

  GatewayEnvironment env_;
  const RouteTable* routes_;
  CorsPolicy cors_;
  // The ServiceStack DTO names of the answers (XML root elements).
  const ServiceStackDtos dtos_;
  // /openapi.json, rendered once from `routes_`.
  std::string openapi_json_;
  absl::flat_hash_map<std::string, StaticAsset> static_assets_;  // by path
  // Null when the route table has no Server Events stream method.
  std::unique_ptr<ServerEventsEndpoint> server_events_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_REST_DISPATCHER_H_
