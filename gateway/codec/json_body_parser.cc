#include "gateway/codec/json_body_parser.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 32;

absl::Status TypeError(const FieldDescriptor* f, absl::string_view expected) {
  return FieldError(f->name(), absl::StrCat("expected ", expected));
}

template <typename T>
bool InRange(const rapidjson::Value& v, T* out) {
  if (v.IsInt64()) {
    const int64_t x = v.GetInt64();
    if (x < static_cast<int64_t>(std::numeric_limits<T>::min())) return false;
    if (x > 0 && static_cast<uint64_t>(x) > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return false;
    }
    *out = static_cast<T>(x);
    return true;
  }
  if (v.IsUint64()) {
    const uint64_t x = v.GetUint64();
    if (x > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    *out = static_cast<T>(x);
    return true;
  }
  return false;
}

// Sets or appends a JSON number into a numeric, enum or bool field.
absl::Status SetNumberValue(const rapidjson::Value& v, Message* m, const FieldDescriptor* f) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
#define SESSIONS_INT_CASE(CPP, T, SETTER)                               \
  case FieldDescriptor::CPP: {                                          \
    T x{};                                                              \
    if (!InRange<T>(v, &x)) return TypeError(f, "an integer in range"); \
    rep ? r->Add##SETTER(m, f, x) : r->Set##SETTER(m, f, x);            \
    return absl::OkStatus();                                            \
  }
    SESSIONS_INT_CASE(CPPTYPE_INT32, int32_t, Int32)
    SESSIONS_INT_CASE(CPPTYPE_INT64, int64_t, Int64)
    SESSIONS_INT_CASE(CPPTYPE_UINT32, uint32_t, UInt32)
    SESSIONS_INT_CASE(CPPTYPE_UINT64, uint64_t, UInt64)
#undef SESSIONS_INT_CASE
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r->AddDouble(m, f, v.GetDouble()) : r->SetDouble(m, f, v.GetDouble());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const float x = static_cast<float>(v.GetDouble());
      rep ? r->AddFloat(m, f, x) : r->SetFloat(m, f, x);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int32_t x = 0;
      if (!InRange<int32_t>(v, &x)) return TypeError(f, "an enum name or number");
      rep ? r->AddEnumValue(m, f, x) : r->SetEnumValue(m, f, x);
      return absl::OkStatus();
    }
    default:
      return TypeError(
          f, f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL ? "true or false" : "a string");
  }
}

class Merger {
 public:
  explicit Merger(const FieldIndex& index) : index_(index) {}

  absl::Status MergeObject(const rapidjson::Value& obj, Message* m, int depth) {
    if (depth > kMaxDepth) return absl::InvalidArgumentError("JSON body nested too deeply");
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
      absl::string_view name(it->name.GetString(), it->name.GetStringLength());
      const FieldDescriptor* f = index_.Find(m->GetDescriptor(), name);
      if (f == nullptr || it->value.IsNull()) continue;  // unknown or null: ignored
      if (absl::Status s = MergeField(it->value, m, f, depth); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status MergeField(const rapidjson::Value& v, Message* m, const FieldDescriptor* f,
                          int depth) {
    if (f->is_map()) {
      if (!v.IsObject()) return TypeError(f, "an object");
      return MergeMap(v, m, f, depth);
    }
    if (!f->is_repeated()) return MergeValue(v, m, f, depth);
    if (!v.IsArray()) return TypeError(f, "an array");
    for (const rapidjson::Value& item : v.GetArray()) {
      if (item.IsNull()) return TypeError(f, "no null inside an array");
      if (absl::Status s = MergeValue(item, m, f, depth); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  // Sets (or appends, for a repeated field) one non-null value.
  absl::Status MergeValue(const rapidjson::Value& v, Message* m, const FieldDescriptor* f,
                          int depth) {
    const Reflection* r = m->GetReflection();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!v.IsObject()) return TypeError(f, "an object");
      Message* child = f->is_repeated() ? r->AddMessage(m, f) : r->MutableMessage(m, f);
      return MergeObject(v, child, depth + 1);
    }
    if (v.IsString()) {
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) return TypeError(f, "true or false");
      return SetFieldFromText(m, f, absl::string_view(v.GetString(), v.GetStringLength()));
    }
    if (v.IsBool()) {
      if (f->cpp_type() != FieldDescriptor::CPPTYPE_BOOL) return TypeError(f, "no boolean");
      f->is_repeated() ? r->AddBool(m, f, v.GetBool()) : r->SetBool(m, f, v.GetBool());
      return absl::OkStatus();
    }
    if (v.IsNumber()) return SetNumberValue(v, m, f);
    return TypeError(f, "a scalar value");
  }

  absl::Status MergeMap(const rapidjson::Value& obj, Message* m, const FieldDescriptor* f,
                        int depth) {
    const FieldDescriptor* key = f->message_type()->map_key();
    const FieldDescriptor* value = f->message_type()->map_value();
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
      if (it->value.IsNull()) continue;
      Message* entry = m->GetReflection()->AddMessage(m, f);
      absl::string_view name(it->name.GetString(), it->name.GetStringLength());
      if (absl::Status s = SetFieldFromText(entry, key, name); !s.ok()) return s;
      if (absl::Status s = MergeValue(it->value, entry, value, depth + 1); !s.ok()) {
        return FieldError(f->name(), s.message());
      }
    }
    return absl::OkStatus();
  }

  const FieldIndex& index_;
};

}  // namespace

namespace {

// Iterative parsing: a deeply nested body cannot overflow the stack.
absl::Status Parse(absl::string_view json, rapidjson::Document* doc) {
  doc->Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (!doc->HasParseError()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid JSON body at offset ", doc->GetErrorOffset(), ": ",
                   rapidjson::GetParseError_En(doc->GetParseError())));
}

}  // namespace

absl::Status MergeJsonBody(absl::string_view json, absl::string_view body_field,
                           const FieldIndex& index, Message* message) {
  if (absl::StripAsciiWhitespace(json).empty()) return absl::OkStatus();
  rapidjson::Document doc;
  if (absl::Status parsed = Parse(json, &doc); !parsed.ok()) return parsed;
  Merger merger(index);
  if (body_field == "*") {
    if (!doc.IsObject()) return absl::InvalidArgumentError("the JSON body must be an object");
    return merger.MergeObject(doc, message, 0);
  }
  const FieldDescriptor* f = index.Find(message->GetDescriptor(), body_field);
  if (f == nullptr) return absl::InternalError("body field not in the request type");
  if (doc.IsNull()) return absl::OkStatus();
  return merger.MergeField(doc, message, f, 0);
}

absl::StatusOr<std::vector<std::string>> SplitJsonArray(absl::string_view json,
                                                        size_t max_elements) {
  rapidjson::Document doc;
  if (absl::Status parsed = Parse(json, &doc); !parsed.ok()) return parsed;
  if (!doc.IsArray()) {
    return absl::InvalidArgumentError("a batch body must be a JSON array of requests");
  }
  if (doc.Size() > max_elements) {
    return absl::InvalidArgumentError(
        absl::StrCat("a batch holds at most ", max_elements, " requests, got ", doc.Size()));
  }
  std::vector<std::string> elements;
  elements.reserve(doc.Size());
  for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
    if (!doc[i].IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat("request[", i, "]: expected a JSON object"));
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc[i].Accept(writer);
    elements.emplace_back(buffer.GetString(), buffer.GetSize());
  }
  return elements;
}

}  // namespace sessions::gateway
