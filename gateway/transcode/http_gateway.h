// The REST front end: the HTTP/1.1 server (gateway/http) running in the
// server process next to gRPC, answering through a RestDispatcher. Routes
// come from the methods' google.api.http annotations (RouteTable); each
// request is bound by descriptors and handed straight to the MethodTable
// (no gRPC channel: an in-process channel measured 0.6x the throughput),
// then answered in the ServiceStack dialect. Also serves /healthz, /readyz,
// /metrics, /openapi.json and the static assets it is given.
//
// Usage (the composition root, server/server.cc):
//   HttpGatewayOptions http;
//   http.server.address = "0.0.0.0:8080";
//   auto gateway = HttpGateway::Start(http, env);
//
// Thread-safety: Shutdown() and port() may be called from any thread.
// The GatewayEnvironment's pointers are not owned and must outlive the
// gateway.
#ifndef GATEWAY_TRANSCODE_HTTP_GATEWAY_H_
#define GATEWAY_TRANSCODE_HTTP_GATEWAY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/http/http_server.h"
#include "gateway/transcode/rest_dispatcher.h"
#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

struct HttpGatewayOptions {
  HttpServerOptions server;  // address, limits, threads
  // Browser origins allowed to call with credentials (CORS); empty: none.
  std::vector<std::string> cors_allowed_origins;
  // Method full name -> ServiceStack operation name for predefined routes.
  ServiceStackOperations servicestack_operations = DefaultServiceStackOperations();
  // Files served as they are (the dashboard, gateway/ui); none by default.
  std::vector<StaticAsset> static_assets;
  // ServiceStack Server Events (/event-stream): intervals and limits.
  ServerEventsOptions server_events;
};

class HttpGateway {
 public:
  // Builds the routes, binds, and starts serving. Errors: INVALID_ARGUMENT
  // (bad address or annotation), UNAVAILABLE (the address cannot be bound).
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(const HttpGatewayOptions& options,
                                                            const GatewayEnvironment& env);

  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  int port() const { return server_->port(); }
  // Stops accepting, lets requests in flight finish until `deadline`, then
  // closes every connection. Idempotent.
  void Shutdown(absl::Time deadline) { server_->Shutdown(deadline); }

 private:
  HttpGateway(const HttpGatewayOptions& options, const GatewayEnvironment& env,
              std::unique_ptr<RouteTable> routes);

  const std::unique_ptr<RouteTable> routes_;
  const RestDispatcher dispatcher_;
  std::unique_ptr<HttpServer> server_;  // declared last: stopped first
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_HTTP_GATEWAY_H_
