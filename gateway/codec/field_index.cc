#include "gateway/codec/field_index.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/field_error.h"
#include "common/name_case.h"
#include "gateway/codec/field_plan.h"

namespace sessions::gateway {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// A FieldError for the client's value `text` of `field`.
absl::Status ValueError(const FieldDescriptor* field, absl::string_view problem,
                        absl::string_view text) {
  // Quote at most 64 bytes of the client's value.
  return FieldError(field->name(),
                    absl::StrCat(problem, " \"", absl::CHexEscape(text.substr(0, 64)), "\""));
}

template <typename T>
bool ParseInt(absl::string_view text, T* out) {
  return absl::SimpleAtoi(absl::StripAsciiWhitespace(text), out);
}

absl::Status SetNumber(Message* m, const FieldDescriptor* f, absl::string_view text);

}  // namespace

FieldIndex::FieldIndex(const google::protobuf::Descriptor* root) { Add(root); }

void FieldIndex::Add(const google::protobuf::Descriptor* type) {
  if (type == nullptr || fields_.contains(type)) return;
  auto& map = fields_[type];
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    map.emplace(LooseNameKey(field->name()), field);
    map.emplace(LooseNameKey(field->json_name()), field);
  }
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->message_type() != nullptr) Add(type->field(i)->message_type());
  }
}

const FieldDescriptor* FieldIndex::Find(const google::protobuf::Descriptor* type,
                                        absl::string_view name) const {
  auto it = fields_.find(type);
  if (it == fields_.end()) return nullptr;
  auto field = it->second.find(LooseNameKey(name));
  return field == it->second.end() ? nullptr : field->second;
}

const EnumValueDescriptor* FindEnumValue(const EnumDescriptor* type, absl::string_view text) {
  if (const EnumValueDescriptor* v = type->FindValueByName(std::string(text))) return v;
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) return type->FindValueByNumber(number);
  const std::string wanted = LooseNameKey(text);
  for (int i = 0; i < type->value_count(); ++i) {
    if (LooseNameKey(CSharpEnumValueName(type->value(i))) == wanted) return type->value(i);
  }
  return nullptr;
}

absl::Status SetFieldFromText(Message* m, const FieldDescriptor* f, absl::string_view text) {
  const google::protobuf::Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value;
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &value) && !absl::WebSafeBase64Unescape(text, &value)) {
          return ValueError(f, "invalid base64", text);
        }
      } else {
        if (!IsValidUtf8(text)) return ValueError(f, "invalid UTF-8", text);
        value = std::string(text);
      }
      rep ? r->AddString(m, f, std::move(value)) : r->SetString(m, f, std::move(value));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value = false;
      if (!absl::SimpleAtob(absl::StripAsciiWhitespace(text), &value)) {
        return ValueError(f, "expected true or false, got", text);
      }
      rep ? r->AddBool(m, f, value) : r->SetBool(m, f, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* v = FindEnumValue(f->enum_type(), text);
      if (v == nullptr) return ValueError(f, "unknown enum value", text);
      rep ? r->AddEnum(m, f, v) : r->SetEnum(m, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return FieldError(f->name(), "a message field cannot be set from text");
    default:
      return SetNumber(m, f, text);
  }
}

namespace {

absl::Status SetNumber(Message* m, const FieldDescriptor* f, absl::string_view text) {
  const google::protobuf::Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (!ParseInt(text, &v)) return ValueError(f, "expected a 32-bit integer, got", text);
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (!ParseInt(text, &v)) return ValueError(f, "expected a 64-bit integer, got", text);
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = 0;
      if (!ParseInt(text, &v))
        return ValueError(f, "expected an unsigned 32-bit integer, got", text);
      rep ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = 0;
      if (!ParseInt(text, &v))
        return ValueError(f, "expected an unsigned 64-bit integer, got", text);
      rep ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v = 0;
      if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &v)) {
        return ValueError(f, "expected a number, got", text);
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        rep ? r->AddFloat(m, f, static_cast<float>(v)) : r->SetFloat(m, f, static_cast<float>(v));
      } else {
        rep ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      }
      break;
    }
    default:
      return absl::InternalError("unexpected field type");
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace sessions::gateway
