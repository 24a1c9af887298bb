// The OpenAPI 3.0 document of the REST gateway (served at /openapi.json),
// generated from the same RouteTable the gateway routes by, so that every
// route, including a new method's, is described without per-method code:
// its path and verb from the google.api.http annotation (and ServiceStack's
// predefined routes), path, query and body parameters bound the way
// RequestBinder binds them, and schemas of the messages as the ServiceStack
// JSON writer writes them (camelCase names, enums by C# name, int64 as
// numbers, bytes as base64). Errors are ResponseStatus bodies; streaming
// methods answer `text/event-stream`; every API route needs the bearer
// token, the operational endpoints (/healthz, /readyz, /metrics,
// /openapi.json, /types/*, /metadata pages) none.
//
// Usage:
//   std::string json = RenderOpenApiDocument(*routes, {"Active Sessions API", "v1"});
//
// Thread-safety: stateless function; the table is only read.
#ifndef GATEWAY_TRANSCODE_OPENAPI_DOCUMENT_H_
#define GATEWAY_TRANSCODE_OPENAPI_DOCUMENT_H_

#include <string>

#include "gateway/transcode/route_table.h"

namespace sessions::gateway {

struct OpenApiInfo {
  std::string title = "Active Sessions API";
  std::string version = "v1";
  // Documents ServiceStack Server Events (/event-stream, /event-heartbeat,
  // /event-unregister) when the gateway serves them.
  bool server_events = false;
};

// Returns the document as indented JSON ending in a newline. Deterministic:
// the same table gives the same bytes (the golden file depends on it).
std::string RenderOpenApiDocument(const RouteTable& routes, const OpenApiInfo& info);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_OPENAPI_DOCUMENT_H_
