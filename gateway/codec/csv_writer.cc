#include "gateway/codec/csv_writer.h"

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/name_case.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/jsv_writer.h"
#include "google/protobuf/descriptor.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// ServiceStack skips its error property when it looks for the table.
constexpr char kResponseStatusField[] = "response_status";

void AppendCell(std::string_view value, bool first, std::string* out) {
  if (!first) out->push_back(',');
  if (value.find_first_of("\",\r\n") == std::string_view::npos) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendHeader(const FieldPlan& plan, std::string* out) {
  bool first = true;
  for (const PlannedField& f : plan.fields()) {
    AppendCell(SnakeToPascal(f.field->name()), first, out);
    first = false;
  }
  out->append("\r\n");
}

void AppendRow(const Message& row, const FieldPlan& plan, std::string* out) {
  const google::protobuf::Reflection* reflection = row.GetReflection();
  std::string cell;
  std::string scratch;
  bool first = true;
  for (const PlannedField& f : plan.fields()) {
    cell.clear();
    if (f.kind == FieldKind::kString && !f.repeated) {
      AppendCell(reflection->GetStringReference(row, f.field, &scratch), first, out);
    } else {
      JsvWriter::WriteFieldValue(row, f, &cell);
      AppendCell(cell, first, out);
    }
    first = false;
  }
  out->append("\r\n");
}

// A list of scalars: one row of its values.
void AppendScalarRow(const Message& msg, const FieldDescriptor* field, std::string* out) {
  const google::protobuf::Reflection* r = msg.GetReflection();
  std::string scratch;
  for (int i = 0; i < r->FieldSize(msg, field); ++i) {
    std::string value;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        value = r->GetRepeatedStringReference(msg, field, i, &scratch);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        value = r->GetRepeatedBool(msg, field, i) ? "True" : "False";
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        value = CSharpEnumValueName(r->GetRepeatedEnum(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        value = absl::StrCat(r->GetRepeatedInt32(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        value = absl::StrCat(r->GetRepeatedInt64(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        value = absl::StrCat(r->GetRepeatedUInt32(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        value = absl::StrCat(r->GetRepeatedUInt64(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        value = absl::StrCat(r->GetRepeatedDouble(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        value = absl::StrCat(r->GetRepeatedFloat(msg, field, i));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    AppendCell(value, i == 0, out);
  }
  out->append("\r\n");
}

}  // namespace

void CsvWriter::Write(const Message& response, std::string* out) {
  const google::protobuf::Descriptor* type = response.GetDescriptor();
  const google::protobuf::Reflection* r = response.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (f->name() == kResponseStatusField) continue;
    if (!f->is_repeated() && f->message_type() == nullptr) continue;
    if (f->message_type() == nullptr) return AppendScalarRow(response, f, out);
    // A list of messages (a map: of its entries, Key and Value) or one message.
    const FieldPlan& plan = FieldPlan::For(f->message_type());
    AppendHeader(plan, out);
    if (!f->is_repeated()) return AppendRow(r->GetMessage(response, f), plan, out);
    for (int row = 0; row < r->FieldSize(response, f); ++row) {
      AppendRow(r->GetRepeatedMessage(response, f, row), plan, out);
    }
    return;
  }
  const FieldPlan& plan = FieldPlan::For(type);
  AppendHeader(plan, out);
  AppendRow(response, plan, out);
}

}  // namespace sessions::gateway
