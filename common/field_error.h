// Errors about one request field, carried as structured data: the field's
// path rides on the absl::Status as a payload (in the spirit of
// google.rpc.BadRequest's field violations), so an edge that reports it
// (ServiceStack's ResponseStatus.errors[].fieldName on REST) reads it
// instead of parsing it back out of the message text.
//
//   return FieldError("start_date", "expected an ISO-8601 date");
//   // INVALID_ARGUMENT "start_date: expected an ISO-8601 date"
//   ErrorField(status) == "start_date"
//   ErrorFieldViolation(status)->problem == "expected an ISO-8601 date"
//
// Pure functions; thread-safe.
#ifndef COMMON_FIELD_ERROR_H_
#define COMMON_FIELD_ERROR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sessions {

// Returns INVALID_ARGUMENT "<field>: <problem>" naming `field` (a path in
// the request, e.g. "session.members[2].identity").
absl::Status FieldError(absl::string_view field, absl::string_view problem);

// The field a FieldError names, if `status` is one.
std::optional<std::string> ErrorField(const absl::Status& status);

// What a FieldError says of its field (its message without "<field>: ").
absl::string_view ErrorFieldProblem(const absl::Status& status);

// The field a FieldError names and what it says of it.
struct FieldViolation {
  std::string field;
  absl::string_view problem;  // Points into the status's message.
};

// The field and the problem of `status`, if it is a FieldError: what
// ErrorField() and ErrorFieldProblem() return, with one read of the payload.
// The result must not outlive `status`.
std::optional<FieldViolation> ErrorFieldViolation(const absl::Status& status);

}  // namespace sessions

#endif  // COMMON_FIELD_ERROR_H_
