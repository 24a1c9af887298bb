// Exposes an HTTP request's headers as call metadata for the method-table
// wrapper (which authenticates from `authorization`). Keys are lower-case;
// `Grpc-Metadata-Foo: v` is metadata `foo` (grpc-gateway's convention) and
// wins over a plain `Foo` header; `authorization` is the Authorization
// header as sent, except that `Basic base64(token:anything)` (how
// ServiceStack API-key clients send a key) reads as `Bearer token`.
//
// Thread-safety: read-only view; the request (not owned) must outlive it
// and must not change while it is used.
#ifndef GATEWAY_HTTP_HTTP_METADATA_H_
#define GATEWAY_HTTP_HTTP_METADATA_H_

#include <optional>
#include <string>
#include <string_view>

#include "gateway/http/http_types.h"
#include "service/call_context.h"

namespace sessions::gateway {

class HttpMetadata final : public MetadataView {
 public:
  explicit HttpMetadata(const HttpRequest* request);

  std::optional<std::string_view> Get(std::string_view key) const override;

 private:
  const HttpRequest* request_;  // not owned
  // "Bearer <user name>" of a well-formed Basic Authorization; else empty.
  std::string basic_as_bearer_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_HTTP_METADATA_H_
