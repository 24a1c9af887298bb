#include "gateway/transcode/request_binder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/field_error.h"
#include "gateway/codec/field_index.h"
#include "gateway/codec/json_body_parser.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Resolves a dotted loose name to (message holding the field, field), or
// returns a null field when some part does not exist or is not a singular
// message. Creates intermediate messages only when the field resolves.
std::pair<Message*, const FieldDescriptor*> Resolve(const FieldIndex& index, Message* root,
                                                    absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
  const google::protobuf::Descriptor* type = root->GetDescriptor();
  std::vector<const FieldDescriptor*> chain;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = index.Find(type, parts[i]);
    if (f == nullptr) return {nullptr, nullptr};
    chain.push_back(f);
    if (i + 1 < parts.size()) {
      if (f->is_repeated() || f->message_type() == nullptr) return {nullptr, nullptr};
      type = f->message_type();
    }
  }
  Message* target = root;
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    target = target->GetReflection()->MutableMessage(target, chain[i]);
  }
  return {target, chain.back()};
}

}  // namespace

absl::Status BindRequest(const Route& route, const std::vector<PathTemplate::Binding>& bindings,
                         const QueryParams& query, absl::string_view body, Message* request) {
  const FieldIndex& index = *route.fields;
  for (const auto& [name, value] : query) {
    if (value.empty()) continue;
    auto [target, field] = Resolve(index, request, name);
    if (field == nullptr || field->is_map() ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (absl::Status s = SetFieldFromText(target, field, value); !s.ok()) return s;
  }
  if (!route.body_field.empty()) {
    if (absl::Status s = MergeJsonBody(body, route.body_field, index, request); !s.ok()) return s;
  }
  for (const PathTemplate::Binding& binding : bindings) {
    auto [target, field] = Resolve(index, request, binding.field_path);
    if (field == nullptr || field->is_repeated() ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return FieldError(binding.field_path, "not a scalar field of the request");
    }
    if (absl::Status s = SetFieldFromText(target, field, binding.value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace sessions::gateway
