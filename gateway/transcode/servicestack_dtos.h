// The DTOs of the ServiceStack operations (route_table.h) as the original
// ServiceStack API named them, from the descriptors: what the "Add
// ServiceStack Reference" writers (/types/typescript, /types/csharp) share.
//
// Names: the request DTO is the operation name (AppGetActiveSessions), its
// answer the operation name + "Result" (the seed's
// AppGetActiveSessionsResult), every other message and enum its proto name.
// C# namespaces: the proto package without its version, each part in
// PascalCase (voice.api.sessions.v1 -> Voice.Api.Sessions). A message
// ending in the five EntityInfo fields (id, date_created,
// date_last_modified, created_by, last_modified_by; how the protos write
// the C# model's base class) extends EntityInfo, which lives in the parent
// namespace of the first type that extends it (Voice.Api).
//
// Thread-safety: immutable after construction.
#ifndef GATEWAY_TRANSCODE_SERVICESTACK_DTOS_H_
#define GATEWAY_TRANSCODE_SERVICESTACK_DTOS_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/transcode/route_table.h"
#include "google/protobuf/descriptor.h"

namespace sessions::gateway {

class ServiceStackDtos {
 public:
  struct Operation {
    const google::protobuf::MethodDescriptor* method = nullptr;
    std::string name;    // the request DTO
    std::string result;  // the answer DTO
    std::string verb;    // of the first google.api.http binding ("GET")
    // Every google.api.http binding: (path, verb).
    std::vector<std::pair<std::string, std::string>> routes;
  };

  static constexpr int kEntityInfoFieldCount = 5;

  explicit ServiceStackDtos(const ServiceStackOperations& operations);

  const std::vector<Operation>& operations() const { return operations_; }
  // Every message reachable from the operations (requests and answers
  // included, map entries not), in first-use order (depth first).
  const std::vector<const google::protobuf::Descriptor*>& messages() const { return messages_; }
  const std::vector<const google::protobuf::EnumDescriptor*>& enums() const { return enums_; }
  // The first message extending EntityInfo, or null: its last five fields
  // are EntityInfo's properties.
  const google::protobuf::Descriptor* entity_type() const { return entity_type_; }

  std::string NameOf(const google::protobuf::Descriptor* type) const;
  std::string NameOf(const google::protobuf::EnumDescriptor* type) const;
  // The operation whose request `type` is, or null.
  const Operation* RequestOf(const google::protobuf::Descriptor* type) const;
  // The C# namespace of `file`'s types, and EntityInfo's.
  static std::string NamespaceOf(const google::protobuf::FileDescriptor* file);
  std::string EntityInfoNamespace() const;

  static bool ExtendsEntityInfo(const google::protobuf::Descriptor* type);
  // The fields of `type` its DTO declares itself (EntityInfo's excluded).
  static int OwnFieldCount(const google::protobuf::Descriptor* type);

  // The "/* Options: ... */" block ServiceStack's tools read back (BaseUrl),
  // with `options` as the commented-out defaults ("MakePartial: True").
  static std::string OptionsHeader(absl::string_view base_url, absl::Time now,
                                   const std::vector<std::string>& options);

 private:
  void Collect(const google::protobuf::Descriptor* type);
  void Collect(const google::protobuf::EnumDescriptor* type);

  std::vector<Operation> operations_;
  std::map<const void*, std::string> names_;  // the operations' DTO names
  std::set<const void*> seen_;
  std::vector<const google::protobuf::Descriptor*> messages_;
  std::vector<const google::protobuf::EnumDescriptor*> enums_;
  const google::protobuf::Descriptor* entity_type_ = nullptr;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_SERVICESTACK_DTOS_H_
