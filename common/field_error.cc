#include "common/field_error.h"

#include <utility>

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
  const std::optional<FieldViolation> violation = ErrorFieldViolation(status);
  return violation.has_value() ? violation->problem : status.message();
}

std::optional<FieldViolation> ErrorFieldViolation(const absl::Status& status) {
  std::optional<std::string> field = ErrorField(status);
  if (!field.has_value()) return std::nullopt;
  FieldViolation violation{*std::move(field), status.message()};
  if (absl::StartsWith(violation.problem, violation.field) &&
      absl::StartsWith(violation.problem.substr(violation.field.size()), ": ")) {
    violation.problem.remove_prefix(violation.field.size() + 2);
  }
  return violation;
}

}  // namespace sessions
