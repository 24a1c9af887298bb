#include "gateway/transcode/datacontract_xml.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/name_case.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/xml_writer.h"
#include "gateway/transcode/servicestack_dtos.h"
#include "google/protobuf/descriptor.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

std::string_view Std(absl::string_view s) { return std::string_view(s.data(), s.size()); }

std::string ContractNamespace(absl::string_view clr_namespace) {
  return absl::StrCat("http://schemas.datacontract.org/2004/07/", clr_namespace);
}

std::string NamespaceOf(const pb::FileDescriptor* file) {
  return ContractNamespace(ServiceStackDtos::NamespaceOf(file));
}

struct Member {
  const Field* field;
  std::string name;  // C#
  std::string ns;    // of the class declaring it
};

// The members of `type` in the serializer's order.
std::vector<Member> MembersOf(const pb::Descriptor* type) {
  const std::string own_ns = ServiceStackDtos::NamespaceOf(type->file());
  const int own = ServiceStackDtos::OwnFieldCount(type);
  // EntityInfo lives in the parent namespace (servicestack_dtos.h).
  const size_t dot = own_ns.rfind('.');
  const std::string base_ns =
      ContractNamespace(dot == std::string::npos ? own_ns : own_ns.substr(0, dot));
  std::vector<Member> base;
  std::vector<Member> members;
  for (int i = 0; i < type->field_count(); ++i) {
    const Field* f = type->field(i);
    Member m{f, SnakeToPascal(f->name()), i < own ? ContractNamespace(own_ns) : base_ns};
    (i < own ? members : base).push_back(std::move(m));
  }
  auto by_name = [](const Member& a, const Member& b) { return a.name < b.name; };
  std::sort(base.begin(), base.end(), by_name);
  std::sort(members.begin(), members.end(), by_name);
  base.insert(base.end(), std::make_move_iterator(members.begin()),
              std::make_move_iterator(members.end()));
  return base;
}

// The XML Schema name of a built-in item type, as the serializer names
// list items and dictionary entries ("string", "int").
std::string ItemName(const Field* f) {
  switch (f->type()) {
    case Field::TYPE_STRING:
      return "string";
    case Field::TYPE_BYTES:
      return "base64Binary";
    case Field::TYPE_BOOL:
      return "boolean";
    case Field::TYPE_INT32:
    case Field::TYPE_SINT32:
    case Field::TYPE_SFIXED32:
      return "int";
    case Field::TYPE_INT64:
    case Field::TYPE_SINT64:
    case Field::TYPE_SFIXED64:
      return "long";
    case Field::TYPE_UINT32:
    case Field::TYPE_FIXED32:
      return "unsignedInt";
    case Field::TYPE_UINT64:
    case Field::TYPE_FIXED64:
      return "unsignedLong";
    case Field::TYPE_DOUBLE:
      return "double";
    case Field::TYPE_FLOAT:
      return "float";
    case Field::TYPE_ENUM:
      return f->enum_type()->name();
    case Field::TYPE_MESSAGE:
    case Field::TYPE_GROUP:
      return f->message_type()->name();
  }
  return "anyType";
}

// The namespace of a list's items (and so of the list contract).
std::string ItemNamespace(const Field* f) {
  if (f->message_type() != nullptr) return NamespaceOf(f->message_type()->file());
  if (f->enum_type() != nullptr) return NamespaceOf(f->enum_type()->file());
  return kXmlArraysNamespace;
}

std::string FloatText(double value, int digits) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "INF" : "-INF";
  return absl::StrFormat("%.*g", digits, value);
}

// A scalar's text; `index` < 0 for a singular field.
std::string ScalarText(const pb::Message& m, const Field* f, int index) {
  const pb::Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case Field::CPPTYPE_STRING: {
      std::string value = rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
      return f->type() == Field::TYPE_BYTES ? absl::Base64Escape(value) : value;
    }
    case Field::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
    case Field::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case Field::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case Field::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case Field::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case Field::CPPTYPE_DOUBLE:
      return FloatText(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), 17);
    case Field::CPPTYPE_FLOAT:
      return FloatText(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), 9);
    case Field::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const pb::EnumValueDescriptor* value = f->enum_type()->FindValueByNumber(number);
      return value != nullptr ? CSharpEnumValueName(value) : absl::StrCat(number);
    }
    case Field::CPPTYPE_MESSAGE:
      break;
  }
  return "";
}

void WriteMembers(const pb::Message& m, XmlWriter* xml);

// A map entry's key or value.
void WriteEntryPart(const pb::Message& entry, const Field* f, absl::string_view name,
                    XmlWriter* xml) {
  if (f->message_type() != nullptr) {
    xml->Start(Std(name), kXmlArraysNamespace, NamespaceOf(f->message_type()->file()));
    WriteMembers(entry.GetReflection()->GetMessage(entry, f), xml);
  } else {
    xml->Start(Std(name), kXmlArraysNamespace);
    xml->Text(ScalarText(entry, f, -1));
  }
  xml->End();
}

void WriteMember(const pb::Message& m, const Member& member, XmlWriter* xml) {
  const Field* f = member.field;
  const pb::Reflection* r = m.GetReflection();
  if (f->is_map()) {
    const Field* key = f->message_type()->map_key();
    const Field* value = f->message_type()->map_value();
    xml->Start(member.name, member.ns, kXmlArraysNamespace);
    std::vector<const pb::Message*> entries;
    for (int i = 0; i < r->FieldSize(m, f); ++i) entries.push_back(&r->GetRepeatedMessage(m, f, i));
    // Sorted by key: the same map always reads the same.
    std::sort(entries.begin(), entries.end(), [key](const pb::Message* a, const pb::Message* b) {
      return ScalarText(*a, key, -1) < ScalarText(*b, key, -1);
    });
    const std::string item = absl::StrCat("KeyValueOf", ItemName(key), ItemName(value));
    for (const pb::Message* entry : entries) {
      xml->Start(item, kXmlArraysNamespace);
      WriteEntryPart(*entry, key, "Key", xml);
      WriteEntryPart(*entry, value, "Value", xml);
      xml->End();
    }
    xml->End();
    return;
  }
  if (f->is_repeated()) {
    const std::string item_ns = ItemNamespace(f);
    const std::string item = ItemName(f);
    xml->Start(member.name, member.ns, item_ns);
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      xml->Start(item, item_ns);
      if (f->message_type() != nullptr) {
        WriteMembers(r->GetRepeatedMessage(m, f, i), xml);
      } else {
        xml->Text(ScalarText(m, f, i));
      }
      xml->End();
    }
    xml->End();
    return;
  }
  if (f->message_type() != nullptr) {
    xml->Start(member.name, member.ns, NamespaceOf(f->message_type()->file()));
    if (r->HasField(m, f)) {
      WriteMembers(r->GetMessage(m, f), xml);
    } else {
      xml->Nil();
    }
    xml->End();
    return;
  }
  xml->Start(member.name, member.ns);
  std::string text = ScalarText(m, f, -1);
  // proto3 has no null string: empty is what ServiceStack would hold as null.
  if (text.empty() && f->cpp_type() == Field::CPPTYPE_STRING) {
    xml->Nil();
  } else {
    xml->Text(text);
  }
  xml->End();
}

void WriteMembers(const pb::Message& m, XmlWriter* xml) {
  for (const Member& member : MembersOf(m.GetDescriptor())) WriteMember(m, member, xml);
}

}  // namespace

void WriteDataContractXml(const pb::Message& message, absl::string_view root_name,
                          std::string* out) {
  XmlWriter xml(out);
  xml.StartDocument(Std(root_name), NamespaceOf(message.GetDescriptor()->file()));
  WriteMembers(message, &xml);
  xml.End();
}

}  // namespace sessions::gateway
