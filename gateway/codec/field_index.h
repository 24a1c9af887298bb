// Finds request fields by the loose names REST clients use and parses
// scalar text into them. ServiceStack binds names case-insensitively and
// clients send camelCase or snake_case, so "accountId", "AccountId",
// "accountid" and "account_id" all name field `account_id`: the key is the
// name lower-cased with '_' removed.
//
// Built once per request type at start-up (for the type and every message
// type reachable from it); immutable afterwards, so Find() is thread-safe.
#ifndef GATEWAY_CODEC_FIELD_INDEX_H_
#define GATEWAY_CODEC_FIELD_INDEX_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

class FieldIndex {
 public:
  // Indexes `root` and the message types reachable from it (not owned;
  // descriptors live for the whole process).
  explicit FieldIndex(const google::protobuf::Descriptor* root);

  // Returns the field of `type` that `name` loosely names, or null.
  const google::protobuf::FieldDescriptor* Find(const google::protobuf::Descriptor* type,
                                                absl::string_view name) const;

 private:
  void Add(const google::protobuf::Descriptor* type);

  absl::flat_hash_map<const google::protobuf::Descriptor*,
                      absl::flat_hash_map<std::string, const google::protobuf::FieldDescriptor*>>
      fields_;
};

// Returns the value of `type` that `text` names: the proto name
// ("SESSION_CALL_STATE_RINGING"), the C# name ("Ringing",
// case-insensitive) or the number; null if none.
const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* type, absl::string_view text);

// Sets (or, for a repeated field, appends) the scalar `field` of `message`
// from its text form. Errors: INVALID_ARGUMENT "<field>: <problem>" for a
// bad number, bool or enum, invalid UTF-8, or a message-typed field.
absl::Status SetFieldFromText(google::protobuf::Message* message,
                              const google::protobuf::FieldDescriptor* field,
                              absl::string_view text);

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_FIELD_INDEX_H_
