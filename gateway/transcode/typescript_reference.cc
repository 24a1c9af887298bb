#include "gateway/transcode/typescript_reference.h"

#include "absl/strings/str_cat.h"
#include "gateway/codec/field_plan.h"
#include "gateway/transcode/servicestack_dtos.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;

std::string Constructor(absl::string_view type) {
  return absl::StrCat("\n    public constructor(init?: Partial<", type,
                      ">) { (Object as any).assign(this, init); }\n");
}

std::string ValueType(const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return "string";
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return "boolean";
    case pb::FieldDescriptor::CPPTYPE_ENUM:
      return dtos.NameOf(f->enum_type());
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
      return dtos.NameOf(f->message_type());
    default:
      return "number";
  }
}

std::string FieldType(const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  if (f->is_map()) {
    return absl::StrCat("{ [index: string]: ", ValueType(dtos, f->message_type()->map_value()),
                        "; }");
  }
  return f->is_repeated() ? ValueType(dtos, f) + "[]" : ValueType(dtos, f);
}

// Fields [begin, end) of `type` as optional properties by JSON name.
std::string Properties(const ServiceStackDtos& dtos, const pb::Descriptor* type, int begin,
                       int end) {
  std::string out;
  for (int i = begin; i < end; ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    absl::StrAppend(&out, "    public ", f->json_name(), "?: ", FieldType(dtos, f), ";\n");
  }
  return out;
}

std::string Enum(const pb::EnumDescriptor* type) {
  std::string out = absl::StrCat("export enum ", type->name(), "\n{\n");
  for (int i = 0; i < type->value_count(); ++i) {
    const std::string name = CSharpEnumValueName(type->value(i));
    absl::StrAppend(&out, "    ", name, " = '", name, "',\n");
  }
  return out + "}\n\n";
}

std::string Class(const ServiceStackDtos& dtos, const pb::Descriptor* type) {
  const std::string name = dtos.NameOf(type);
  const bool entity = ServiceStackDtos::ExtendsEntityInfo(type);
  std::string out =
      absl::StrCat("export class ", name, entity ? " extends EntityInfo" : "", "\n{\n",
                   Properties(dtos, type, 0, ServiceStackDtos::OwnFieldCount(type)));
  if (entity) {
    absl::StrAppend(&out, "\n    public constructor(init?: Partial<", name,
                    ">) { super(init); (Object as any).assign(this, init); }\n");
  } else {
    out += Constructor(name);
  }
  return out + "}\n\n";
}

std::string Request(const ServiceStackDtos& dtos, const ServiceStackDtos::Operation& op) {
  const pb::Descriptor* type = op.method->input_type();
  std::string out;
  for (const auto& [path, verb] : op.routes) {
    absl::StrAppend(&out, "// @Route(\"", path, "\", \"", verb, "\")\n");
  }
  absl::StrAppend(&out, "export class ", op.name, " implements IReturn<", op.result, ">\n{\n",
                  Properties(dtos, type, 0, ServiceStackDtos::OwnFieldCount(type)),
                  Constructor(op.name), "    public getTypeName() { return '", op.name,
                  "'; }\n    public getMethod() { return '", op.verb,
                  "'; }\n    public createResponse() { return new ", op.result, "(); }\n}\n\n");
  return out;
}

}  // namespace

std::string RenderTypeScriptReference(const ServiceStackOperations& operations,
                                      absl::string_view base_url, absl::Time now) {
  const ServiceStackDtos dtos(operations);
  std::string out = ServiceStackDtos::OptionsHeader(
      base_url, now,
      {"GlobalNamespace: ", "MakePropertiesOptional: True", "AddServiceStackTypes: True",
       "AddResponseStatus: False", "AddImplicitVersion: ", "AddDescriptionAsComments: True",
       "IncludeTypes: ", "ExcludeTypes: ", "DefaultImports: "});
  out +=
      "\nexport interface IReturn<T>\n{\n    createResponse(): T;\n}\n\n"
      "export interface IReturnVoid\n{\n    createResponse(): void;\n}\n\n";
  if (const pb::Descriptor* entity = dtos.entity_type(); entity != nullptr) {
    const int n = entity->field_count();
    out += "export class EntityInfo\n{\n" +
           Properties(dtos, entity, n - ServiceStackDtos::kEntityInfoFieldCount, n) +
           Constructor("EntityInfo") + "}\n\n";
  }
  for (const pb::EnumDescriptor* e : dtos.enums()) out += Enum(e);
  for (const pb::Descriptor* m : dtos.messages()) {
    if (dtos.RequestOf(m) == nullptr) out += Class(dtos, m);
  }
  for (const ServiceStackDtos::Operation& op : dtos.operations()) out += Request(dtos, op);
  return out;
}

}  // namespace sessions::gateway
