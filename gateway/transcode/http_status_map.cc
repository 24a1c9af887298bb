#include "gateway/transcode/http_status_map.h"

#include "absl/strings/ascii.h"
#include "common/field_error.h"
#include "common/name_case.h"

namespace sessions::gateway {
namespace {

// Whether ServiceStack clients get `field` as a fieldName: a plain dotted
// path. Indexed paths ("sessions[0].id") stay in the message only, as they
// always have (changing it would change what existing clients receive).
bool IsReportableField(absl::string_view field) {
  if (field.empty()) return false;
  for (char c : field) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

int HttpStatusFromCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
      return 500;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      break;
  }
  return 500;  // codes outside the canonical set
}

absl::string_view ErrorCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "Ok";
    case absl::StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case absl::StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case absl::StatusCode::kOutOfRange:
      return "OutOfRange";
    case absl::StatusCode::kUnauthenticated:
      return "Unauthorized";
    case absl::StatusCode::kPermissionDenied:
      return "Forbidden";
    case absl::StatusCode::kNotFound:
      return "NotFound";
    case absl::StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case absl::StatusCode::kAborted:
      return "Aborted";
    case absl::StatusCode::kResourceExhausted:
      return "ResourceExhausted";
    case absl::StatusCode::kCancelled:
      return "Cancelled";
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
      return "InternalServerError";
    case absl::StatusCode::kUnimplemented:
      return "NotImplemented";
    case absl::StatusCode::kUnavailable:
      return "ServiceUnavailable";
    case absl::StatusCode::kDeadlineExceeded:
      return "DeadlineExceeded";
    default:
      break;
  }
  return "InternalServerError";
}

HttpError HttpErrorFromStatus(const absl::Status& status) {
  HttpError error;
  error.http_status = HttpStatusFromCode(status.code());
  error.error_code = std::string(ErrorCodeName(status.code()));
  switch (error.http_status) {
    case 500:
      error.message = "internal error";
      return error;
    case 503:
      error.message = "service unavailable";
      return error;
    case 504:
      error.message = "deadline exceeded";
      return error;
    default:
      break;
  }
  error.message = std::string(status.message());
  if (status.code() != absl::StatusCode::kInvalidArgument) return error;
  if (std::optional<FieldViolation> violation = ErrorFieldViolation(status);
      violation.has_value() && IsReportableField(violation->field)) {
    error.field_name = SnakeToPascal(violation->field);
    error.field_message = std::string(violation->problem);
  }
  return error;
}

}  // namespace sessions::gateway
