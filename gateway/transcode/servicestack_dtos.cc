#include "gateway/transcode/servicestack_dtos.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/name_case.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/descriptor.pb.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;

constexpr const char* kEntityInfoFields[ServiceStackDtos::kEntityInfoFieldCount] = {
    "id", "date_created", "date_last_modified", "created_by", "last_modified_by"};

// The path and verb of one google.api.http binding; false for custom verbs.
bool Binding(const google::api::HttpRule& rule, std::string* path, std::string* verb) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      *path = rule.get(), *verb = "GET";
      return true;
    case google::api::HttpRule::kPost:
      *path = rule.post(), *verb = "POST";
      return true;
    case google::api::HttpRule::kPut:
      *path = rule.put(), *verb = "PUT";
      return true;
    case google::api::HttpRule::kDelete:
      *path = rule.delete_(), *verb = "DELETE";
      return true;
    case google::api::HttpRule::kPatch:
      *path = rule.patch(), *verb = "PATCH";
      return true;
    default:
      return false;
  }
}

}  // namespace

ServiceStackDtos::ServiceStackDtos(const ServiceStackOperations& operations) {
  for (const auto& [method_name, name] : operations) {
    const pb::MethodDescriptor* method =
        pb::DescriptorPool::generated_pool()->FindMethodByName(method_name);
    if (method == nullptr) continue;
    Operation op;
    op.method = method;
    op.name = name;
    op.result = name + "Result";
    op.verb = "POST";
    if (method->options().HasExtension(google::api::http)) {
      const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) rules.push_back(&extra);
      for (const google::api::HttpRule* r : rules) {
        std::string path;
        std::string verb;
        if (Binding(*r, &path, &verb)) op.routes.emplace_back(path, verb);
      }
      if (!op.routes.empty()) op.verb = op.routes.front().second;
    }
    names_[method->input_type()] = op.name;
    names_[method->output_type()] = op.result;
    operations_.push_back(std::move(op));
  }
  for (const Operation& op : operations_) {
    Collect(op.method->input_type());
    Collect(op.method->output_type());
  }
}

void ServiceStackDtos::Collect(const pb::Descriptor* type) {
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

void ServiceStackDtos::Collect(const pb::EnumDescriptor* type) {
  if (seen_.insert(type).second) enums_.push_back(type);
}

std::string ServiceStackDtos::NameOf(const pb::Descriptor* type) const {
  auto it = names_.find(type);
  return it == names_.end() ? type->name() : it->second;
}

std::string ServiceStackDtos::NameOf(const pb::EnumDescriptor* type) const { return type->name(); }

const ServiceStackDtos::Operation* ServiceStackDtos::RequestOf(const pb::Descriptor* type) const {
  for (const Operation& op : operations_) {
    if (op.method->input_type() == type) return &op;
  }
  return nullptr;
}

std::string ServiceStackDtos::NamespaceOf(const pb::FileDescriptor* file) {
  std::vector<std::string> parts = absl::StrSplit(file->package(), '.');
  // The trailing API version (v1, v2beta) is not part of the C# namespace.
  if (!parts.empty() && parts.back().size() >= 2 && parts.back()[0] == 'v' &&
      absl::ascii_isdigit(parts.back()[1])) {
    parts.pop_back();
  }
  for (std::string& part : parts) part = SnakeToPascal(part);
  return absl::StrJoin(parts, ".");
}

std::string ServiceStackDtos::EntityInfoNamespace() const {
  if (entity_type_ == nullptr) return "";
  const std::string ns = NamespaceOf(entity_type_->file());
  const size_t dot = ns.rfind('.');
  return dot == std::string::npos ? ns : ns.substr(0, dot);
}

bool ServiceStackDtos::ExtendsEntityInfo(const pb::Descriptor* type) {
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

int ServiceStackDtos::OwnFieldCount(const pb::Descriptor* type) {
  return type->field_count() - (ExtendsEntityInfo(type) ? kEntityInfoFieldCount : 0);
}

std::string ServiceStackDtos::OptionsHeader(absl::string_view base_url, absl::Time now,
                                            const std::vector<std::string>& options) {
  std::string out = absl::StrCat(
      "/* Options:\nDate: ", absl::FormatTime("%Y-%m-%d %H:%M:%S", now, absl::UTCTimeZone()),
      "\nVersion: 8.0\nTip: To override a DTO option, remove \"//\" prefix before updating\n",
      "BaseUrl: ", base_url, "\n\n");
  for (const std::string& option : options) absl::StrAppend(&out, "//", option, "\n");
  return out + "*/\n\n";
}

}  // namespace sessions::gateway
