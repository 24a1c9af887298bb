// Field plans: what the REST response writers need to know about a message
// type, computed once per type from its descriptor.
//
// The JSON and JSV writers (json_writer.h, jsv_writer.h) walk messages
// generically, and everything that does not depend on the message instance --
// field order, pre-escaped keys, value kinds, enum C# names, nested plans --
// is precomputed here so the hot path does no string work and no descriptor
// lookups. Plans are generic: any message type gets one, no per-type code.
//
// Fast accessor path: per-call Reflection getters cost ~25 ns each (usage
// checks, schema lookups), which alone made a reflection writer ~3x a binary
// serialize. For generated classes the plan also records each field's byte
// offset, found once with public reflection only and verified (see
// field_layout.h); the writers read generated messages through these offsets
// and fall back to Reflection for anything else (DynamicMessage, maps,
// explicit presence, repeated scalars, layouts the probe does not recognise).
//
// Thread safety: FieldPlan::For() is thread-safe; plans are immutable once
// returned and live until the process exits.

#ifndef GATEWAY_CODEC_FIELD_PLAN_H_
#define GATEWAY_CODEC_FIELD_PLAN_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gateway/codec/field_layout.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {

// The value kind of a field (or of a map's key / value).
enum class FieldKind : uint8_t {
  kString,
  kBytes,
  kBool,
  kInt32,
  kInt64,
  kUInt32,
  kUInt64,
  kDouble,
  kFloat,
  kEnum,
  kMessage,
};

// The C# names of an enum's values, ready to write.
class EnumNames {
 public:
  explicit EnumNames(const google::protobuf::EnumDescriptor* type);

  // Returns the C# name of `number` (e.g. "Ringing"), or nullptr when the
  // number is not a declared value (writers then write the number).
  const std::string* Find(int number) const {
    const int64_t slot = int64_t{number} - min_;
    if (slot >= 0 && slot < static_cast<int64_t>(dense_.size())) {
      const std::string& name = dense_[slot];
      return name.empty() ? nullptr : &name;
    }
    auto it = sparse_.find(number);
    return it == sparse_.end() ? nullptr : &it->second;
  }

 private:
  int min_ = 0;
  std::vector<std::string> dense_;  // Index: number - min_; "" = no value.
  absl::flat_hash_map<int, std::string> sparse_;
};

class FieldPlan;

// One field of a plan, in declaration order.
struct PlannedField {
  const google::protobuf::FieldDescriptor* field = nullptr;
  FieldKind kind = FieldKind::kString;  // Value kind (map: value kind).
  bool repeated = false;                // Repeated, including maps.
  bool is_map = false;
  // Explicit presence (proto2, proto3 `optional`, oneof members): written
  // only when set. Implicit-presence scalars are never HasField()-checked.
  bool explicit_presence = false;
  std::string json_key;                   // `,"camelName":` (leading comma, JSON-escaped).
  std::string jsv_key;                    // `,camelName:` (leading comma, JSV-quoted).
  const EnumNames* enum_names = nullptr;  // kEnum (map: value enum).
  const FieldPlan* message = nullptr;     // kMessage (map: value message).
  const FieldPlan* entry = nullptr;       // Maps: the entry type's plan.
  // Maps only: the entry's key and value fields and the key kind.
  const google::protobuf::FieldDescriptor* map_key = nullptr;
  const google::protobuf::FieldDescriptor* map_value = nullptr;
  FieldKind key_kind = FieldKind::kString;
  // Byte offset of the field in the generated class (read with StringAt,
  // ScalarAt, MessageAt, RepeatedMessagesAt), or -1: use reflection. Only
  // valid for messages whose GetReflection() is the plan's fast_reflection().
  int32_t offset = -1;
};

// The precomputed plan of one message type.
//
// Usage:
//   const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
//   for (const PlannedField& f : plan.fields()) { ... }
class FieldPlan {
 public:
  // Returns the plan of `type`, building it (and the plans of every message
  // type reachable from it) on first use. `type` is not owned and must
  // outlive the process (generated and pool descriptors do).
  static const FieldPlan& For(const google::protobuf::Descriptor* type);

  const google::protobuf::Descriptor* type() const { return type_; }
  const std::vector<PlannedField>& fields() const { return fields_; }

  // Returns the Reflection of the generated class that the fields' offsets
  // describe, or nullptr when no offsets were found (dynamic types, unknown
  // layouts) or fast access is disabled for testing.
  const google::protobuf::Reflection* fast_reflection() const;
  // The generated default instance (nullptr when fast_reflection_ is).
  const google::protobuf::Message* prototype() const { return prototype_; }

  FieldPlan(const FieldPlan&) = delete;
  FieldPlan& operator=(const FieldPlan&) = delete;

 private:
  friend class FieldPlanRegistry;
  explicit FieldPlan(const google::protobuf::Descriptor* type) : type_(type) {}

  const google::protobuf::Descriptor* type_;
  std::vector<PlannedField> fields_;
  const google::protobuf::Reflection* fast_reflection_ = nullptr;
  const google::protobuf::Message* prototype_ = nullptr;
};

// Turns the offset fast path off (false) or back on, for tests that compare
// both paths. Thread-safe.
void SetFastAccessEnabledForTesting(bool enabled);

// Returns the C# name of an enum value: the proto name minus the enum type's
// UPPER_SNAKE prefix, in UpperCamel (SESSION_CALL_STATE_RINGING -> "Ringing").
std::string CSharpEnumValueName(const google::protobuf::EnumValueDescriptor* v);

// One entry of a map field, with its key read once (for sorting and writing).
struct MapEntryRef {
  // Signed keys are stored as `key + kSignBias` (mod 2^64), so that they sort
  // as unsigned numbers.
  static constexpr uint64_t kSignBias = uint64_t{1} << 63;

  // Returns the key of an int32 / int64 map.
  int64_t signed_key() const { return static_cast<int64_t>(bits - kSignBias); }

  const google::protobuf::Message* entry = nullptr;
  std::string_view text;  // String keys.
  uint64_t bits = 0;      // Integer / bool keys, biased so that they sort.
};

// Sets `*entries` to the entries of map field `f` of `msg` (whose reflection
// is `r`), sorted by key (strings bytewise, integers numerically, false
// before true) so that the writers' output is deterministic. `generated`:
// `msg` is the generated class of its plan, so the entries are too and
// their keys are read by offset.
void CollectSortedMapEntries(const google::protobuf::Message& msg,
                             const google::protobuf::Reflection& r, const PlannedField& f,
                             bool generated, std::vector<MapEntryRef>* entries);

}  // namespace sessions::gateway

#endif  // GATEWAY_CODEC_FIELD_PLAN_H_
