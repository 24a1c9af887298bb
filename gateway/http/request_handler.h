// What an HttpConnection hands each parsed request to. The HTTP server
// knows sockets, framing and limits; what a request means (routes,
// transcoding, the ServiceStack dialect) lives behind this interface
// (gateway/transcode's RestDispatcher).
#ifndef GATEWAY_HTTP_REQUEST_HANDLER_H_
#define GATEWAY_HTTP_REQUEST_HANDLER_H_

#include <functional>
#include <memory>

#include "absl/strings/string_view.h"
#include "gateway/http/body_source.h"
#include "gateway/http/http_types.h"

namespace sessions::gateway {

// Receives the response of one request exactly once, always on the thread
// (strand) that runs the connection's handlers: either inside Dispatch() or
// in a task handed to the Poster.
using Responder = std::function<void(HttpResponse)>;

// Starts a streamed response instead: `head` (status and headers; its body
// is ignored) is written first, then `body`'s chunks as they come (chunked
// transfer encoding), and the connection closes when the body ends. Same
// thread rules as Responder; a request gets either a Responder call or a
// StreamResponder call, once.
using StreamResponder = std::function<void(HttpResponse head, std::shared_ptr<BodySource> body)>;

// Runs a task on the connection's strand, from any thread; drops it when
// the connection or the server is gone. A handler uses it to come back
// from work that completes on another thread.
using Poster = std::function<void(std::function<void()>)>;

// Implementations must be thread-safe: Dispatch() runs concurrently on the
// server's io threads and must never block or throw.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // Answers `request` through `respond` (or `stream`). The response's
  // version and keep-alive are left to the caller.
  virtual void Dispatch(HttpRequest request, Poster post, Responder respond,
                        StreamResponder stream) const = 0;

  // Builds the error response for a failure found before a request could be
  // dispatched (431, 413, 400 on unparsable HTTP, 500) and records it.
  virtual HttpResponse TransportError(int http_status, absl::string_view error_code,
                                      absl::string_view message) const = 0;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_REQUEST_HANDLER_H_
