// JsonWriter: the JSON tokens of ServiceStack's dialect, written by the shared
// FieldPlan traversal (message_walker.h). See json_writer.h.

#include "gateway/codec/json_writer.h"

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

// The JSON tokens of the shared traversal (see message_walker.h).
struct JsonFormat {
  static const std::string& Key(const PlannedField& f) { return f.json_key; }
  static void AppendString(std::string_view s, OutputBuffer* out) { AppendJsonString(s, out); }
  static void AppendBytes(const std::string& value, OutputBuffer* out);
  static void AppendBool(bool value, OutputBuffer* out) {
    if (value) {
      out->append("true", 4);
    } else {
      out->append("false", 5);
    }
  }
  // NaN and infinities as the strings protobuf's JSON uses.
  template <typename T>
  static void AppendFloat(T value, OutputBuffer* out);
  static void AppendEnum(const EnumNames* names, int number, OutputBuffer* out);
  // Object keys are strings: numbers and bools are quoted.
  static void AppendMapKey(const MapEntryRef& e, const PlannedField& f, OutputBuffer* out);
};

void JsonFormat::AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->push_back('"');
  out->append(encoded);
  out->push_back('"');
}

template <typename T>
void JsonFormat::AppendFloat(T value, OutputBuffer* out) {
  if (std::isfinite(value)) {
    AppendNumber(value, out);
  } else if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  }
}

void JsonFormat::AppendEnum(const EnumNames* names, int number, OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
    return;
  }
  out->push_back('"');
  out->append(*name);
  out->push_back('"');
}

void JsonFormat::AppendMapKey(const MapEntryRef& e, const PlannedField& f, OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString:
      AppendJsonString(e.text, out);
      return;
    case FieldKind::kBool:
      out->append(e.bits ? "\"true\"" : "\"false\"");
      return;
    default:
      break;
  }
  out->push_back('"');
  if (f.key_kind == FieldKind::kInt32 || f.key_kind == FieldKind::kInt64) {
    AppendNumber(e.signed_key(), out);
  } else {
    AppendNumber(e.bits, out);
  }
  out->push_back('"');
}

}  // namespace

void JsonWriter::Write(const google::protobuf::Message& msg, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsonFormat>::Write(msg, &buffer);
}

void JsonWriter::WriteSpliced(const google::protobuf::Message& msg,
                              const google::protobuf::FieldDescriptor* spliced,
                              const std::vector<std::string_view>& elements, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsonFormat>::WriteSpliced(msg, spliced, elements, &buffer);
}

}  // namespace sessions::gateway
