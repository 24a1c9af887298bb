// gzip Content-Encoding for REST responses (zlib deflate with the gzip
// wrapper). Large session lists compress about 10:1.
//
// Thread-safety: stateless functions.
#ifndef GATEWAY_HTTP_GZIP_ENCODER_H_
#define GATEWAY_HTTP_GZIP_ENCODER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions::gateway {

// Bodies at most this long are sent as they are.
inline constexpr size_t kGzipMinBytes = 1024;

// True when an Accept-Encoding header value accepts gzip (a "gzip" or "*"
// token whose q-value is not 0).
bool AcceptsGzip(absl::string_view accept_encoding);

// Returns `data` compressed in gzip format. Errors: INTERNAL from zlib.
absl::StatusOr<std::string> GzipCompress(absl::string_view data);

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_GZIP_ENCODER_H_
