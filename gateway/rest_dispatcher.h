// Turns one parsed HTTP request into one HTTP response: health, readiness
// and metrics endpoints, CORS preflight, routing (404 / 405), request
// binding, the direct call into the MethodTable (no gRPC channel), and the
// ServiceStack-dialect response (JSON or JSV, ResponseStatus errors, gzip,
// CORS). The socket side lives in HttpConnection; this class never blocks
// and never throws.
//
// Usage:
//   RestDispatcher dispatcher(env, routes.get(), options);
//   dispatcher.Dispatch(std::move(request), peer, post_to_strand,
//                       [](HttpResponse r) { /* write it */ });
//
// Thread-safety: immutable after construction; Dispatch() may run
// concurrently. `env` pointers and `routes` are not owned and must outlive
// the dispatcher and every pending response callback.
#ifndef GATEWAY_REST_DISPATCHER_H_
#define GATEWAY_REST_DISPATCHER_H_

#include <functional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gateway/content_negotiation.h"
#include "gateway/cors_policy.h"
#include "gateway/http_status_map.h"
#include "gateway/http_types.h"
#include "gateway/route_table.h"
#include "service/frontend.h"

namespace sessions::gateway {

// Receives the response of one request exactly once, always on the thread
// (strand) that runs the connection's handlers: either inside Dispatch() or
// in a task handed to the Poster.
using Responder = std::function<void(HttpResponse)>;

// Runs a task on the connection's strand, from any thread; drops it when
// the connection or the gateway is gone. The dispatcher uses it to come
// back from a handler that completes on another thread.
using Poster = std::function<void(std::function<void()>)>;

class RestDispatcher {
 public:
  RestDispatcher(const FrontendEnvironment& env, const RouteTable* routes,
                 const std::vector<std::string>& cors_allowed_origins);

  // Answers `request` through `respond`. The response's version and
  // keep-alive are left to the caller.
  void Dispatch(HttpRequest request, std::string peer, Poster post, Responder respond) const;

  // Builds a JSON ResponseStatus error for failures found before a request
  // could be dispatched (431, 413, 400 on unparsable HTTP) and records it.
  HttpResponse TransportError(int http_status, absl::string_view error_code,
                              absl::string_view message) const;

 private:
  struct Call;
  struct Target;

  void DispatchApi(HttpRequest request, Target target, std::string peer, Poster post,
                   Responder respond) const;
  void Complete(Call& call, const absl::Status& status) const;
  HttpResponse ErrorResponse(const HttpError& error, ResponseFormat format) const;
  // Adds CORS and, when worth it, gzip; records metrics; then responds.
  void Finish(const HttpRequest& request, absl::string_view route_label, absl::Time start,
              HttpResponse response, const Responder& respond) const;
  bool ServeOperational(const HttpRequest& request, const Target& target,
                        const Responder& respond) const;

  FrontendEnvironment env_;
  const RouteTable* routes_;
  CorsPolicy cors_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_REST_DISPATCHER_H_
