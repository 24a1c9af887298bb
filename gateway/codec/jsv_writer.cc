// JsvWriter: the JSV tokens of ServiceStack's format, written by the shared
// FieldPlan traversal (message_walker.h). See jsv_writer.h.

#include "gateway/codec/jsv_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/message_walker.h"
#include "gateway/codec/output_buffer.h"
#include "gateway/codec/text_escape.h"

namespace sessions::gateway {
namespace {

// The JSV tokens of the shared traversal (see message_walker.h).
struct JsvFormat {
  static const std::string& Key(const PlannedField& f) { return f.jsv_key; }
  static void AppendString(std::string_view s, OutputBuffer* out) { AppendJsvString(s, out); }
  static void AppendBytes(const std::string& value, OutputBuffer* out);
  static void AppendBool(bool value, OutputBuffer* out) {
    if (value) {
      out->append("True", 4);
    } else {
      out->append("False", 5);
    }
  }
  template <typename T>
  static void AppendFloat(T value, OutputBuffer* out);
  static void AppendEnum(const EnumNames* names, int number, OutputBuffer* out);
  // Strings quoted when needed, numbers and bools as they are.
  static void AppendMapKey(const MapEntryRef& e, const PlannedField& f, OutputBuffer* out);
};

void JsvFormat::AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->append(encoded);  // Base64 has no quote triggers.
}

template <typename T>
void JsvFormat::AppendFloat(T value, OutputBuffer* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
  } else {
    AppendNumber(value, out);  // Shortest round-trip form.
  }
}

void JsvFormat::AppendEnum(const EnumNames* names, int number, OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
  } else {
    out->append(*name);
  }
}

void JsvFormat::AppendMapKey(const MapEntryRef& e, const PlannedField& f, OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString:
      AppendJsvString(e.text, out);
      break;
    case FieldKind::kBool:
      AppendBool(e.bits != 0, out);
      break;
    case FieldKind::kInt32:
    case FieldKind::kInt64:
      AppendNumber(e.signed_key(), out);
      break;
    default:
      AppendNumber(e.bits, out);
      break;
  }
}

}  // namespace

void JsvWriter::Write(const google::protobuf::Message& msg, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsvFormat>::Write(msg, &buffer);
}

void JsvWriter::WriteFieldValue(const google::protobuf::Message& msg, const PlannedField& f,
                                std::string* out) {
  std::string member;
  {
    OutputBuffer buffer(&member);
    MessageWalker<JsvFormat>::WriteMember(msg, f, &buffer);
  }
  if (member.size() >= f.jsv_key.size()) out->append(member, f.jsv_key.size());
}

void JsvWriter::WriteSpliced(const google::protobuf::Message& msg,
                             const google::protobuf::FieldDescriptor* spliced,
                             const std::vector<std::string_view>& elements, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsvFormat>::WriteSpliced(msg, spliced, elements, &buffer);
}

}  // namespace sessions::gateway
