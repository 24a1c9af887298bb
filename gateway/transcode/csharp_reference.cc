#include "gateway/transcode/csharp_reference.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/name_case.h"
#include "gateway/codec/field_plan.h"
#include "gateway/transcode/servicestack_dtos.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;

std::string ScalarType(const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  switch (f->type()) {
    case pb::FieldDescriptor::TYPE_STRING:
      return "string";
    case pb::FieldDescriptor::TYPE_BYTES:
      return "byte[]";
    case pb::FieldDescriptor::TYPE_BOOL:
      return "bool";
    case pb::FieldDescriptor::TYPE_INT32:
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return "int";
    case pb::FieldDescriptor::TYPE_UINT32:
    case pb::FieldDescriptor::TYPE_FIXED32:
      return "uint";
    case pb::FieldDescriptor::TYPE_INT64:
    case pb::FieldDescriptor::TYPE_SINT64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return "long";
    case pb::FieldDescriptor::TYPE_UINT64:
    case pb::FieldDescriptor::TYPE_FIXED64:
      return "ulong";
    case pb::FieldDescriptor::TYPE_DOUBLE:
      return "double";
    case pb::FieldDescriptor::TYPE_FLOAT:
      return "float";
    case pb::FieldDescriptor::TYPE_ENUM:
      return dtos.NameOf(f->enum_type());
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      return dtos.NameOf(f->message_type());
  }
  return "string";
}

std::string FieldType(const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  if (f->is_map()) {
    return absl::StrCat("Dictionary<", ScalarType(dtos, f->message_type()->map_key()), ", ",
                        ScalarType(dtos, f->message_type()->map_value()), ">");
  }
  return f->is_repeated() ? absl::StrCat("List<", ScalarType(dtos, f), ">") : ScalarType(dtos, f);
}

// Fields [begin, end) of `type`: the constructor initializing its
// collections (when it has any), then the properties.
std::string Members(const ServiceStackDtos& dtos, const pb::Descriptor* type,
                    absl::string_view class_name, int begin, int end) {
  std::string constructor;
  std::string properties;
  for (int i = begin; i < end; ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    const std::string name = SnakeToPascal(f->name());
    if (f->is_repeated()) {
      absl::StrAppend(&constructor, "            ", name, " = new ", FieldType(dtos, f), "{};\n");
    }
    absl::StrAppend(&properties, "        public virtual ", FieldType(dtos, f), " ", name,
                    " { get; set; }\n");
  }
  if (constructor.empty()) return properties;
  return absl::StrCat("        public ", class_name, "()\n        {\n", constructor,
                      "        }\n\n", properties);
}

std::string Enum(const pb::EnumDescriptor* type) {
  std::string out = absl::StrCat("    public enum ", type->name(), "\n    {\n");
  for (int i = 0; i < type->value_count(); ++i) {
    const pb::EnumValueDescriptor* v = type->value(i);
    absl::StrAppend(&out, "        ", CSharpEnumValueName(v),
                    v->number() == i ? std::string() : absl::StrCat(" = ", v->number()), ",\n");
  }
  return out + "    }\n\n";
}

std::string Class(const ServiceStackDtos& dtos, const pb::Descriptor* type) {
  const std::string name = dtos.NameOf(type);
  std::string out;
  std::string bases;
  if (const ServiceStackDtos::Operation* op = dtos.RequestOf(type); op != nullptr) {
    for (const auto& [path, verb] : op->routes) {
      absl::StrAppend(&out, "    [Route(\"", path, "\", \"", verb, "\")]\n");
    }
    bases = absl::StrCat("IReturn<", op->result, ">");
  } else if (ServiceStackDtos::ExtendsEntityInfo(type)) {
    bases = "EntityInfo";
  }
  absl::StrAppend(&out, "    public partial class ", name, "\n");
  if (!bases.empty()) absl::StrAppend(&out, "        : ", bases, "\n");
  absl::StrAppend(&out, "    {\n",
                  Members(dtos, type, name, 0, ServiceStackDtos::OwnFieldCount(type)), "    }\n\n");
  return out;
}

}  // namespace

std::string RenderCSharpReference(const ServiceStackOperations& operations,
                                  absl::string_view base_url, absl::Time now) {
  const ServiceStackDtos dtos(operations);
  // namespace -> type name -> its declaration.
  std::map<std::string, std::map<std::string, std::string>> namespaces;
  for (const pb::EnumDescriptor* e : dtos.enums()) {
    namespaces[ServiceStackDtos::NamespaceOf(e->file())][dtos.NameOf(e)] = Enum(e);
  }
  for (const pb::Descriptor* m : dtos.messages()) {
    namespaces[ServiceStackDtos::NamespaceOf(m->file())][dtos.NameOf(m)] = Class(dtos, m);
  }
  if (const pb::Descriptor* entity = dtos.entity_type(); entity != nullptr) {
    const int n = entity->field_count();
    namespaces[dtos.EntityInfoNamespace()]["EntityInfo"] = absl::StrCat(
        "    public partial class EntityInfo\n    {\n",
        Members(dtos, entity, "EntityInfo", n - ServiceStackDtos::kEntityInfoFieldCount, n),
        "    }\n\n");
  }
  std::string out = ServiceStackDtos::OptionsHeader(
      base_url, now,
      {"GlobalNamespace: ", "MakePartial: True", "MakeVirtual: True", "MakeInternal: False",
       "MakeDataContractsExtensible: False", "AddNullableAnnotations: False",
       "AddReturnMarker: True", "AddDescriptionAsComments: True",
       "AddDataContractAttributes: False", "AddIndexesToDataMembers: False",
       "AddGeneratedCodeAttributes: False", "AddResponseStatus: False", "AddImplicitVersion: ",
       "InitializeCollections: True", "ExportValueTypes: False", "IncludeTypes: ", "ExcludeTypes: ",
       "AddNamespaces: ", "AddDefaultXmlNamespace: http://schemas.servicestack.net/types"});
  out +=
      "using System;\nusing System.Collections;\nusing System.Collections.Generic;\n"
      "using System.Runtime.Serialization;\nusing ServiceStack;\nusing "
      "ServiceStack.DataAnnotations;\n";
  for (const auto& [ns, types] : namespaces) absl::StrAppend(&out, "using ", ns, ";\n");
  out += "\n";
  for (const auto& [ns, types] : namespaces) {
    absl::StrAppend(&out, "namespace ", ns, "\n{\n");
    for (const auto& [name, declaration] : types) out += declaration;
    out += "}\n\n";
  }
  return out;
}

}  // namespace sessions::gateway
