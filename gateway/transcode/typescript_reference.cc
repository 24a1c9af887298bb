#include "gateway/transcode/typescript_reference.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/codec/field_plan.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;

// The C# model's base class, as the protos write it: its fields last.
constexpr const char* kEntityInfoFields[] = {"id", "date_created", "date_last_modified",
                                             "created_by", "last_modified_by"};
constexpr int kEntityInfoFieldCount = 5;

bool ExtendsEntityInfo(const pb::Descriptor* type) {
  const int n = type->field_count();
  if (n <= kEntityInfoFieldCount) return false;
  for (int i = 0; i < kEntityInfoFieldCount; ++i) {
    const pb::FieldDescriptor* f = type->field(n - kEntityInfoFieldCount + i);
    if (f->name() != kEntityInfoFields[i] || f->type() != pb::FieldDescriptor::TYPE_STRING ||
        f->is_repeated()) {
      return false;
    }
  }
  return true;
}

// Writes one file: the types reachable from the operations, each once,
// named as the file comment says. Not thread-safe; one per document.
class TypeScriptWriter {
 public:
  explicit TypeScriptWriter(const ServiceStackOperations& operations) {
    for (const auto& [method_name, operation] : operations) {
      const pb::MethodDescriptor* method =
          pb::DescriptorPool::generated_pool()->FindMethodByName(method_name);
      if (method == nullptr) continue;
      operations_.push_back({method, operation});
      names_[method->input_type()] = operation;
      names_[method->output_type()] = operation + "Result";
    }
  }

  std::string Render(absl::string_view base_url, absl::Time now) {
    std::string out = absl::StrCat(
        "/* Options:\n", "Date: ", absl::FormatTime("%Y-%m-%d %H:%M:%S", now, absl::UTCTimeZone()),
        "\nVersion: 8.0\nTip: To override a DTO option, remove \"//\" prefix before updating\n",
        "BaseUrl: ", base_url,
        "\n\n//GlobalNamespace: \n//MakePropertiesOptional: True\n//AddServiceStackTypes: True\n"
        "//AddResponseStatus: False\n//AddImplicitVersion: \n//AddDescriptionAsComments: True\n"
        "//IncludeTypes: \n//ExcludeTypes: \n//DefaultImports: \n*/\n\n\n"
        "export interface IReturn<T>\n{\n    createResponse(): T;\n}\n\n"
        "export interface IReturnVoid\n{\n    createResponse(): void;\n}\n\n");
    for (const Operation& op : operations_) {
      Collect(op.method->input_type());
      Collect(op.method->output_type());
    }
    if (entity_type_ != nullptr) {
      out += "export class EntityInfo\n{\n";
      const int n = entity_type_->field_count();
      for (int i = n - kEntityInfoFieldCount; i < n; ++i) {
        absl::StrAppend(&out, "    public ", entity_type_->field(i)->json_name(), "?: string;\n");
      }
      out += Constructor("EntityInfo") + "}\n\n";
    }
    for (const pb::EnumDescriptor* e : enums_) out += Enum(e);
    for (const pb::Descriptor* m : messages_) {
      if (IsRequest(m) == nullptr) out += Class(m);
    }
    for (const Operation& op : operations_) out += Request(op);
    return out;
  }

 private:
  struct Operation {
    const pb::MethodDescriptor* method;
    std::string name;
  };

  static std::string Constructor(absl::string_view type) {
    return absl::StrCat("\n    public constructor(init?: Partial<", type,
                        ">) { (Object as any).assign(this, init); }\n");
  }

  const Operation* IsRequest(const pb::Descriptor* type) const {
    for (const Operation& op : operations_) {
      if (op.method->input_type() == type) return &op;
    }
    return nullptr;
  }

  std::string NameOf(const void* type, const std::string& proto_name) const {
    auto it = names_.find(type);
    return it == names_.end() ? proto_name : it->second;
  }

  // Types in first-use order (depth first), so the file reads top down.
  void Collect(const pb::Descriptor* type) {
    if (type->options().map_entry()) {
      const pb::FieldDescriptor* value = type->map_value();
      if (value->message_type() != nullptr) Collect(value->message_type());
      if (value->enum_type() != nullptr) Collect(value->enum_type());
      return;
    }
    if (!seen_.insert(type).second) return;
    if (entity_type_ == nullptr && ExtendsEntityInfo(type)) entity_type_ = type;
    for (int i = 0; i < type->field_count(); ++i) {
      const pb::FieldDescriptor* f = type->field(i);
      if (f->message_type() != nullptr) Collect(f->message_type());
      if (f->enum_type() != nullptr) Collect(f->enum_type());
    }
    messages_.push_back(type);
  }

  void Collect(const pb::EnumDescriptor* type) {
    if (seen_.insert(type).second) enums_.push_back(type);
  }

  std::string ValueType(const pb::FieldDescriptor* f) const {
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        return "string";
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        return "boolean";
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        return NameOf(f->enum_type(), f->enum_type()->name());
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return NameOf(f->message_type(), f->message_type()->name());
      default:
        return "number";
    }
  }

  std::string FieldType(const pb::FieldDescriptor* f) const {
    if (f->is_map()) {
      return absl::StrCat("{ [index: string]: ", ValueType(f->message_type()->map_value()), "; }");
    }
    return f->is_repeated() ? ValueType(f) + "[]" : ValueType(f);
  }

  std::string Properties(const pb::Descriptor* type) const {
    std::string out;
    const int count = type->field_count() - (ExtendsEntityInfo(type) ? kEntityInfoFieldCount : 0);
    for (int i = 0; i < count; ++i) {
      const pb::FieldDescriptor* f = type->field(i);
      absl::StrAppend(&out, "    public ", f->json_name(), "?: ", FieldType(f), ";\n");
    }
    return out;
  }

  std::string Enum(const pb::EnumDescriptor* type) const {
    std::string out = absl::StrCat("export enum ", type->name(), "\n{\n");
    for (int i = 0; i < type->value_count(); ++i) {
      const std::string name = CSharpEnumValueName(type->value(i));
      absl::StrAppend(&out, "    ", name, " = '", name, "',\n");
    }
    return out + "}\n\n";
  }

  std::string Class(const pb::Descriptor* type) const {
    const std::string name = NameOf(type, type->name());
    const bool entity = ExtendsEntityInfo(type);
    std::string out = absl::StrCat("export class ", name, entity ? " extends EntityInfo" : "",
                                   "\n{\n", Properties(type));
    if (entity) {
      absl::StrAppend(&out, "\n    public constructor(init?: Partial<", name,
                      ">) { super(init); (Object as any).assign(this, init); }\n");
    } else {
      out += Constructor(name);
    }
    return out + "}\n\n";
  }

  std::string Request(const Operation& op) const {
    const pb::Descriptor* type = op.method->input_type();
    const std::string result = op.name + "Result";
    std::string out;
    std::string verb = "POST";
    const pb::MethodOptions& options = op.method->options();
    if (options.HasExtension(google::api::http)) {
      const google::api::HttpRule& rule = options.GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (size_t i = 0; i < rules.size(); ++i) {
        const google::api::HttpRule& r = *rules[i];
        std::string path;
        std::string rule_verb;
        switch (r.pattern_case()) {
          case google::api::HttpRule::kGet:
            path = r.get(), rule_verb = "GET";
            break;
          case google::api::HttpRule::kPost:
            path = r.post(), rule_verb = "POST";
            break;
          case google::api::HttpRule::kPut:
            path = r.put(), rule_verb = "PUT";
            break;
          case google::api::HttpRule::kDelete:
            path = r.delete_(), rule_verb = "DELETE";
            break;
          case google::api::HttpRule::kPatch:
            path = r.patch(), rule_verb = "PATCH";
            break;
          default:
            continue;
        }
        if (i == 0) verb = rule_verb;
        absl::StrAppend(&out, "// @Route(\"", path, "\", \"", rule_verb, "\")\n");
      }
    }
    absl::StrAppend(&out, "export class ", op.name, " implements IReturn<", result, ">\n{\n",
                    Properties(type), Constructor(op.name), "    public getTypeName() { return '",
                    op.name, "'; }\n    public getMethod() { return '", verb,
                    "'; }\n    public createResponse() { return new ", result, "(); }\n}\n\n");
    return out;
  }

  std::vector<Operation> operations_;
  std::map<const void*, std::string> names_;  // the operations' DTO names
  std::set<const void*> seen_;
  std::vector<const pb::Descriptor*> messages_;
  std::vector<const pb::EnumDescriptor*> enums_;
  const pb::Descriptor* entity_type_ = nullptr;  // the first type extending EntityInfo
};

}  // namespace

std::string RenderTypeScriptReference(const ServiceStackOperations& operations,
                                      absl::string_view base_url, absl::Time now) {
  return TypeScriptWriter(operations).Render(base_url, now);
}

}  // namespace sessions::gateway
