#include "gateway/transcode/metadata_types.h"

#include <set>
#include <vector>

#include "common/name_case.h"
#include "gateway/codec/field_plan.h"
#include "gateway/transcode/servicestack_dtos.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr char kSystem[] = "System";
constexpr char kCollections[] = "System.Collections.Generic";

void String(Writer& w, absl::string_view s) { w.String(s.data(), static_cast<unsigned>(s.size())); }

void Member(Writer& w, const char* key, absl::string_view value) {
  w.Key(key);
  String(w, value);
}

// A .NET type as MetadataTypes names it: Type.Name and its namespace.
struct NetType {
  std::string name;
  std::string ns;
  bool value_type = false;
  bool is_enum = false;
};

NetType ScalarType(const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  switch (f->type()) {
    case pb::FieldDescriptor::TYPE_STRING:
      return {"String", kSystem};
    case pb::FieldDescriptor::TYPE_BYTES:
      return {"Byte[]", kSystem};
    case pb::FieldDescriptor::TYPE_BOOL:
      return {"Boolean", kSystem, true};
    case pb::FieldDescriptor::TYPE_INT32:
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      return {"Int32", kSystem, true};
    case pb::FieldDescriptor::TYPE_UINT32:
    case pb::FieldDescriptor::TYPE_FIXED32:
      return {"UInt32", kSystem, true};
    case pb::FieldDescriptor::TYPE_INT64:
    case pb::FieldDescriptor::TYPE_SINT64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      return {"Int64", kSystem, true};
    case pb::FieldDescriptor::TYPE_UINT64:
    case pb::FieldDescriptor::TYPE_FIXED64:
      return {"UInt64", kSystem, true};
    case pb::FieldDescriptor::TYPE_DOUBLE:
      return {"Double", kSystem, true};
    case pb::FieldDescriptor::TYPE_FLOAT:
      return {"Single", kSystem, true};
    case pb::FieldDescriptor::TYPE_ENUM:
      return {dtos.NameOf(f->enum_type()), ServiceStackDtos::NamespaceOf(f->enum_type()->file()),
              true, true};
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      return {dtos.NameOf(f->message_type()),
              ServiceStackDtos::NamespaceOf(f->message_type()->file())};
  }
  return {"String", kSystem};
}

void Property(Writer& w, const ServiceStackDtos& dtos, const pb::FieldDescriptor* f) {
  w.StartObject();
  Member(w, "name", SnakeToPascal(f->name()));
  std::vector<NetType> args;
  NetType type;
  if (f->is_map()) {
    type = {"Dictionary`2", kCollections};
    args = {ScalarType(dtos, f->message_type()->map_key()),
            ScalarType(dtos, f->message_type()->map_value())};
  } else if (f->is_repeated()) {
    type = {"List`1", kCollections};
    args = {ScalarType(dtos, f)};
  } else {
    type = ScalarType(dtos, f);
  }
  Member(w, "type", type.name);
  Member(w, "namespace", type.ns);
  if (type.value_type) {
    w.Key("isValueType");
    w.Bool(true);
  }
  if (type.is_enum) {
    w.Key("isEnum");
    w.Bool(true);
  }
  if (!args.empty()) {
    w.Key("genericArgs");
    w.StartArray();
    for (const NetType& arg : args) String(w, arg.name);
    w.EndArray();
  }
  w.EndObject();
}

// A class: its name, namespace, base and the fields [begin, end).
void ClassType(Writer& w, const ServiceStackDtos& dtos, absl::string_view name,
               absl::string_view ns, const pb::Descriptor* type, int begin, int end,
               bool extends_entity_info) {
  w.StartObject();
  Member(w, "name", name);
  Member(w, "namespace", ns);
  if (extends_entity_info) {
    w.Key("inherits");
    w.StartObject();
    Member(w, "name", "EntityInfo");
    Member(w, "namespace", dtos.EntityInfoNamespace());
    w.EndObject();
  }
  w.Key("properties");
  w.StartArray();
  for (int i = begin; i < end; ++i) Property(w, dtos, type->field(i));
  w.EndArray();
  w.EndObject();
}

void Message(Writer& w, const ServiceStackDtos& dtos, const pb::Descriptor* type) {
  ClassType(w, dtos, dtos.NameOf(type), ServiceStackDtos::NamespaceOf(type->file()), type, 0,
            ServiceStackDtos::OwnFieldCount(type), ServiceStackDtos::ExtendsEntityInfo(type));
}

void Enum(Writer& w, const ServiceStackDtos& dtos, const pb::EnumDescriptor* type) {
  w.StartObject();
  Member(w, "name", dtos.NameOf(type));
  Member(w, "namespace", ServiceStackDtos::NamespaceOf(type->file()));
  w.Key("isEnum");
  w.Bool(true);
  w.Key("enumNames");
  w.StartArray();
  bool ordinal = true;  // values 0..n-1 in order: ServiceStack omits enumValues
  for (int i = 0; i < type->value_count(); ++i) {
    String(w, CSharpEnumValueName(type->value(i)));
    ordinal = ordinal && type->value(i)->number() == i;
  }
  w.EndArray();
  if (!ordinal) {
    w.Key("enumValues");
    w.StartArray();
    for (int i = 0; i < type->value_count(); ++i)
      String(w, std::to_string(type->value(i)->number()));
    w.EndArray();
  }
  w.EndObject();
}

void Config(Writer& w, absl::string_view base_url) {
  w.Key("config");
  w.StartObject();
  Member(w, "baseUrl", base_url);
  // What /types/csharp applies (its Options header).
  for (const char* option : {"makePartial", "makeVirtual", "addReturnMarker",
                             "addDescriptionAsComments", "initializeCollections"}) {
    w.Key(option);
    w.Bool(true);
  }
  Member(w, "addDefaultXmlNamespace", "http://schemas.servicestack.net/types");
  w.EndObject();
}

}  // namespace

std::string RenderMetadataTypes(const ServiceStackOperations& operations,
                                absl::string_view base_url) {
  const ServiceStackDtos dtos(operations);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  Config(w, base_url);

  std::set<std::string> namespaces = {kSystem, kCollections, "ServiceStack"};
  for (const pb::Descriptor* m : dtos.messages()) {
    namespaces.insert(ServiceStackDtos::NamespaceOf(m->file()));
  }
  for (const pb::EnumDescriptor* e : dtos.enums()) {
    namespaces.insert(ServiceStackDtos::NamespaceOf(e->file()));
  }
  if (dtos.entity_type() != nullptr) namespaces.insert(dtos.EntityInfoNamespace());
  w.Key("namespaces");
  w.StartArray();
  for (const std::string& ns : namespaces) String(w, ns);
  w.EndArray();

  // Requests and answers appear only under operations, as ServiceStack
  // lists them.
  std::set<const pb::Descriptor*> operation_types;
  for (const ServiceStackDtos::Operation& op : dtos.operations()) {
    operation_types.insert(op.method->input_type());
    operation_types.insert(op.method->output_type());
  }
  w.Key("types");
  w.StartArray();
  if (const pb::Descriptor* entity = dtos.entity_type(); entity != nullptr) {
    const int n = entity->field_count();
    ClassType(w, dtos, "EntityInfo", dtos.EntityInfoNamespace(), entity,
              n - ServiceStackDtos::kEntityInfoFieldCount, n, false);
  }
  for (const pb::Descriptor* m : dtos.messages()) {
    if (operation_types.count(m) == 0) Message(w, dtos, m);
  }
  for (const pb::EnumDescriptor* e : dtos.enums()) Enum(w, dtos, e);
  w.EndArray();

  w.Key("operations");
  w.StartArray();
  for (const ServiceStackDtos::Operation& op : dtos.operations()) {
    w.StartObject();
    w.Key("request");
    Message(w, dtos, op.method->input_type());
    w.Key("response");
    Message(w, dtos, op.method->output_type());
    w.Key("actions");
    w.StartArray();
    String(w, op.verb);
    w.EndArray();
    Member(w, "method", op.verb);
    w.Key("returnType");
    w.StartObject();
    Member(w, "name", op.result);
    Member(w, "namespace", ServiceStackDtos::NamespaceOf(op.method->output_type()->file()));
    w.EndObject();
    w.Key("routes");
    w.StartArray();
    for (const auto& [path, verb] : op.routes) {
      w.StartObject();
      Member(w, "path", path);
      Member(w, "verbs", verb);
      w.EndObject();
    }
    w.EndArray();
    w.Key("requiresAuth");
    w.Bool(true);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sessions::gateway
