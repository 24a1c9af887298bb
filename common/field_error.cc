#include "common/field_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sessions {
namespace {

// The payload's type URL: internal to this process, never sent on a wire.
constexpr absl::string_view kFieldPayload = "type.sessions.internal/FieldViolation.field";

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  absl::Status status = absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

std::optional<std::string> ErrorField(const absl::Status& status) {
  const auto field = status.GetPayload(kFieldPayload);  // absl::optional<absl::Cord>
  if (!field.has_value()) return std::nullopt;
  return std::string(*field);
}

absl::string_view ErrorFieldProblem(const absl::Status& status) {
  absl::string_view message = status.message();
  const std::optional<std::string> field = ErrorField(status);
  if (field.has_value() && absl::StartsWith(message, *field) &&
      absl::StartsWith(message.substr(field->size()), ": ")) {
    message.remove_prefix(field->size() + 2);
  }
  return message;
}

}  // namespace sessions
