#include "service/session_validator.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/field_error.h"
#include "common/iso_time.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/unknown_field_set.h"

namespace sessions {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

std::string FieldPath(absl::string_view parent, const FieldDescriptor& field) {
  return absl::StrCat(parent, parent.empty() ? "" : ".", field.name());
}

bool IsIdField(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "id" || name == "identity" || absl::EndsWith(name, "_id");
}

// The first control character other than TAB, CR and LF (which log
// messages and console data may hold), or npos. Such bytes have no place
// in a name or a message, and the JSV writer (like ServiceStack's) copies
// unquoted strings byte for byte.
size_t FindControlCharacter(absl::string_view value) {
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) return i;
  }
  return absl::string_view::npos;
}

bool IsDateField(const FieldDescriptor& field) {
  return field.type() == FieldDescriptor::TYPE_STRING && absl::StartsWith(field.name(), "date");
}

}  // namespace

absl::Status SessionValidator::ValidateId(absl::string_view value, absl::string_view path) const {
  if (value.empty()) return FieldError(path, "required");
  if (value.size() > limits_.max_id_bytes) {
    return FieldError(path, absl::StrCat("longer than ", limits_.max_id_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status SessionValidator::ValidateDate(absl::string_view value, absl::string_view path) {
  if (value.empty() || ParseIsoTime(std::string_view(value.data(), value.size())).ok()) {
    return absl::OkStatus();
  }
  return FieldError(path, "not an ISO-8601 date or date-time (e.g. 2026-11-25T10:00:00Z)");
}

absl::Status SessionValidator::ValidateSession(const voice::api::sessions::v1::SessionInfo& session,
                                               absl::string_view path, absl::Time now) const {
  RETURN_IF_ERROR(ValidateId(session.id(), absl::StrCat(path, ".id")));
  RETURN_IF_ERROR(ValidateId(session.account_id(), absl::StrCat(path, ".account_id")));
  if (session.date_created().empty()) {
    return FieldError(absl::StrCat(path, ".date_created"), "required");
  }
  RETURN_IF_ERROR(ValidateMessage(session, path));
  if (!session.date_last_modified().empty()) {
    absl::StatusOr<absl::Time> modified = ParseIsoTime(session.date_last_modified());
    if (modified.ok() && *modified > now + limits_.max_clock_skew) {
      return FieldError(absl::StrCat(path, ".date_last_modified"),
                        absl::StrCat("more than ", absl::FormatDuration(limits_.max_clock_skew),
                                     " ahead of the server's clock (", FormatIsoTime(now), ")"));
    }
  }
  if (const size_t bytes = session.ByteSizeLong(); bytes > limits_.max_session_bytes) {
    return FieldError(path, absl::StrCat(bytes, " bytes serialized, over the limit of ",
                                         limits_.max_session_bytes));
  }
  return absl::OkStatus();
}

absl::Status SessionValidator::ValidateMergedSize(
    const voice::api::sessions::v1::SessionInfo& session) const {
  if (const size_t bytes = session.ByteSizeLong(); bytes > limits_.max_session_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("session: the update would make it ", bytes,
                                                     " bytes serialized, over the limit of ",
                                                     limits_.max_session_bytes));
  }
  return absl::OkStatus();
}

absl::Status SessionValidator::ValidateMessage(const Message& message,
                                               absl::string_view path) const {
  const auto* descriptor = message.GetDescriptor();
  const google::protobuf::UnknownFieldSet& unknown =
      message.GetReflection()->GetUnknownFields(message);
  if (!unknown.empty()) {
    return FieldError(path.empty() ? descriptor->name() : path,
                      absl::StrCat("unknown field ", unknown.field(0).number(), ": not in ",
                                   descriptor->full_name(), " as this server knows it"));
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    RETURN_IF_ERROR(
        ValidateField(message, *descriptor->field(i), FieldPath(path, *descriptor->field(i))));
  }
  return absl::OkStatus();
}

int SessionValidator::MaxRepeated(const FieldDescriptor& field) const {
  if (field.is_map()) return limits_.max_application_data_entries;
  if (field.name() == "log") return limits_.max_log_entries;
  if (field.name() == "members") return limits_.max_members;
  if (field.name() == "customer_breadcrumb") return limits_.max_breadcrumb_depth;
  return limits_.max_batch_sessions;
}

absl::Status SessionValidator::ValidateString(const FieldDescriptor& field,
                                              const std::string& value,
                                              const std::string& path) const {
  size_t max = limits_.max_string_bytes;
  if (IsIdField(field)) max = limits_.max_id_bytes;
  if (field.name() == "console_data") max = limits_.max_console_data_bytes;
  if (field.name() == "message") max = limits_.max_log_message_bytes;
  if (value.size() > max) {
    return FieldError(path, absl::StrCat("longer than ", max, " bytes"));
  }
  if (const size_t at = FindControlCharacter(value); at != absl::string_view::npos) {
    return FieldError(path, absl::StrFormat("control character U+%04X at byte %d",
                                            static_cast<unsigned char>(value[at]), at));
  }
  if (IsDateField(field)) return ValidateDate(value, path);
  return absl::OkStatus();
}

absl::Status SessionValidator::ValidateField(const Message& message, const FieldDescriptor& field,
                                             const std::string& path) const {
  const Reflection* reflection = message.GetReflection();
  if (!field.is_repeated()) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return ValidateString(field, reflection->GetStringReference(message, &field, nullptr),
                              path);
      case FieldDescriptor::CPPTYPE_ENUM: {
        const int number = reflection->GetEnumValue(message, &field);
        if (field.enum_type()->FindValueByNumber(number) == nullptr) {
          return FieldError(path,
                            absl::StrCat("unknown ", field.enum_type()->name(), " value ", number));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (!reflection->HasField(message, &field)) return absl::OkStatus();
        return ValidateMessage(reflection->GetMessage(message, &field), path);
      default:
        return absl::OkStatus();
    }
  }
  const int size = reflection->FieldSize(message, &field);
  const int max = MaxRepeated(field);
  if (size > max) {
    return FieldError(path, absl::StrCat("more than ", max, " entries"));
  }
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return absl::OkStatus();
  for (int i = 0; i < size; ++i) {
    const Message& element = reflection->GetRepeatedMessage(message, &field, i);
    if (field.is_map()) {
      // Map entries: check key and value sizes, naming the map field.
      RETURN_IF_ERROR(ValidateMessage(element, path));
    } else {
      RETURN_IF_ERROR(ValidateMessage(element, absl::StrCat(path, "[", i, "]")));
    }
  }
  return absl::OkStatus();
}

}  // namespace sessions
