// Field layout of generated message classes: the byte offsets the response
// writers read fields at (their fast path, see field_plan.h), and the probe
// that finds those offsets.
//
// The offsets are found at plan time with public reflection only (set a
// field on a probe message, see which bytes change, check that reading them
// back gives what reflection gives) and every assumption is verified there; a
// field whose layout is not understood gets offset -1 and is read by
// reflection.
//
// Thread safety: the accessors are thread-safe for messages that are not
// being modified; a LayoutProbe is not thread-safe (one per plan build).

#ifndef GATEWAY_CODEC_FIELD_LAYOUT_H_
#define GATEWAY_CODEC_FIELD_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace sessions::gateway {

// Direct field access by offset: the fast path of the writers. Only valid for
// an offset that LayoutProbe::Find returned for the message's own class.
// Implicit-presence strings are protobuf's tagged string pointers.
inline const std::string& StringAt(const google::protobuf::Message& m, int32_t offset) {
  uintptr_t tagged;
  std::memcpy(&tagged, reinterpret_cast<const char*>(&m) + offset, sizeof(tagged));
  return *reinterpret_cast<const std::string*>(tagged & ~uintptr_t{3});
}

template <typename T>
inline T ScalarAt(const google::protobuf::Message& m, int32_t offset) {
  T value;
  std::memcpy(&value, reinterpret_cast<const char*>(&m) + offset, sizeof(value));
  return value;
}

// Returns the singular sub-message, or nullptr when it is not set.
inline const google::protobuf::Message* MessageAt(const google::protobuf::Message& m,
                                                  int32_t offset) {
  return ScalarAt<const google::protobuf::Message*>(m, offset);
}

inline const google::protobuf::RepeatedPtrField<google::protobuf::Message>& RepeatedMessagesAt(
    const google::protobuf::Message& m, int32_t offset) {
  return *reinterpret_cast<const google::protobuf::RepeatedPtrField<google::protobuf::Message>*>(
      reinterpret_cast<const char*>(&m) + offset);
}

// Finds field offsets in a generated class with public reflection only: sets
// one field on a fresh probe message, diffs the object's bytes, and accepts
// the offset only if reading there gives exactly what reflection gives, both
// set and cleared, and on the default instance.
//
// Supported: implicit-presence scalars, enums, strings and bytes; singular
// sub-messages; repeated sub-messages. Everything else (maps, explicit
// presence, repeated scalars) gets -1.
//
// Usage:
//   LayoutProbe probe(*generated_factory->GetPrototype(type));
//   for (int i = 0; i < type->field_count(); ++i) {
//     offsets.push_back(probe.Find(type->field(i)));
//   }
class LayoutProbe {
 public:
  // `prototype`: the generated default instance of the class to probe; not
  // owned, must outlive the probe.
  explicit LayoutProbe(const google::protobuf::Message& prototype);
  LayoutProbe(const LayoutProbe&) = delete;
  LayoutProbe& operator=(const LayoutProbe&) = delete;

  // Returns the verified byte offset of `field` (a field of the prototype's
  // type), or -1 when its layout is not supported or not recognised.
  int32_t Find(const google::protobuf::FieldDescriptor* field);

 private:
  int32_t FindPointer(const google::protobuf::FieldDescriptor* field);
  int32_t FindScalar(const google::protobuf::FieldDescriptor* field);
  int32_t FindRepeated(const google::protobuf::FieldDescriptor* field);
  void SetProbeValue(const google::protobuf::FieldDescriptor* field, bool complement);
  bool Matches(const google::protobuf::Message& m, const google::protobuf::FieldDescriptor* field,
               int32_t offset) const;

  const google::protobuf::Message& prototype_;
  const google::protobuf::Reflection& r_;
  std::unique_ptr<google::protobuf::Message> probe_;
  const size_t size_;
  std::vector<char> before_;
  std::vector<char> after_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_FIELD_LAYOUT_H_
