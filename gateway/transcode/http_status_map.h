// The one conversion from absl::Status to an HTTP error (grpc-gateway's
// status mapping) plus the ServiceStack ResponseStatus fields.
//
// errorCode naming (ServiceStack-style, documented for clients): the gRPC
// code in PascalCase ("InvalidArgument", "NotFound", "AlreadyExists",
// "ResourceExhausted", "FailedPrecondition", ...), except the names
// ServiceStack's own HttpError helpers use for auth and server errors:
//   UNAUTHENTICATED -> "Unauthorized", PERMISSION_DENIED -> "Forbidden",
//   UNKNOWN / INTERNAL / DATA_LOSS -> "InternalServerError".
// Transport-level errors use the HTTP reason in PascalCase
// ("MethodNotAllowed", "RequestHeaderFieldsTooLarge", ...).
//
// Thread-safety: stateless functions.
#ifndef GATEWAY_TRANSCODE_HTTP_STATUS_MAP_H_
#define GATEWAY_TRANSCODE_HTTP_STATUS_MAP_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sessions::gateway {

// An error as the REST client sees it.
struct HttpError {
  int http_status = 500;
  std::string error_code;  // ResponseStatus.errorCode
  std::string message;     // ResponseStatus.message (safe to show)
  // Set for validation errors "<field>: <problem>": errors[0].
  std::string field_name;     // ServiceStack PascalCase, e.g. "StartDate"
  std::string field_message;  // the <problem> part
  // ResponseStatus.meta, e.g. {"AutoBatchIndex", "2"}; written in order.
  std::vector<std::pair<std::string, std::string>> meta;
};

// Returns the HTTP status of a canonical code (OK -> 200, ...).
int HttpStatusFromCode(absl::StatusCode code);

// Returns the ServiceStack errorCode of a canonical code (see above).
absl::string_view ErrorCodeName(absl::StatusCode code);

// Converts a non-OK status. 5xx other than UNIMPLEMENTED get a generic
// message (never SQL, paths or tokens); a FieldError (common/field_error.h)
// fills field_name / field_message.
HttpError HttpErrorFromStatus(const absl::Status& status);

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_HTTP_STATUS_MAP_H_
