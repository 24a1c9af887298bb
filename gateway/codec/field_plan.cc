// Builds and caches FieldPlans (see field_plan.h).

#include "gateway/codec/field_plan.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/name_case.h"
#include "gateway/codec/field_layout.h"
#include "gateway/codec/text_escape.h"

namespace sessions::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;

// Enums whose numbers span more than this many slots use a hash map.
constexpr int64_t kMaxDenseEnumRange = 1024;

FieldKind KindOf(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return f->type() == FieldDescriptor::TYPE_BYTES ? FieldKind::kBytes : FieldKind::kString;
    case FieldDescriptor::CPPTYPE_BOOL:
      return FieldKind::kBool;
    case FieldDescriptor::CPPTYPE_INT32:
      return FieldKind::kInt32;
    case FieldDescriptor::CPPTYPE_INT64:
      return FieldKind::kInt64;
    case FieldDescriptor::CPPTYPE_UINT32:
      return FieldKind::kUInt32;
    case FieldDescriptor::CPPTYPE_UINT64:
      return FieldKind::kUInt64;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return FieldKind::kDouble;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return FieldKind::kFloat;
    case FieldDescriptor::CPPTYPE_ENUM:
      return FieldKind::kEnum;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return FieldKind::kMessage;
  }
  return FieldKind::kString;
}

}  // namespace

EnumNames::EnumNames(const EnumDescriptor* type) {
  int min = type->value(0)->number();
  int max = min;
  for (int i = 1; i < type->value_count(); ++i) {
    min = std::min(min, type->value(i)->number());
    max = std::max(max, type->value(i)->number());
  }
  const bool dense = int64_t{max} - min < kMaxDenseEnumRange;
  if (dense) {
    min_ = min;
    dense_.resize(int64_t{max} - min + 1);
  }
  // Iterate backwards so that, for aliases, the first declared name wins.
  for (int i = type->value_count() - 1; i >= 0; --i) {
    const EnumValueDescriptor* v = type->value(i);
    std::string name = CSharpEnumValueName(v);
    if (dense) {
      dense_[int64_t{v->number()} - min_] = std::move(name);
    } else {
      sparse_[v->number()] = std::move(name);
    }
  }
}

std::string CSharpEnumValueName(const EnumValueDescriptor* v) {
  const std::string prefix = CamelToUpperSnake(v->type()->name()) + "_";
  absl::string_view name = v->name();
  if (absl::StartsWith(name, prefix) && name.size() > prefix.size() &&
      absl::ascii_isalpha(name[prefix.size()])) {
    name.remove_prefix(prefix.size());
  }
  return SnakeToPascal(absl::AsciiStrToLower(name));
}

namespace {

constexpr uint64_t kSignBias = MapEntryRef::kSignBias;

// Reads the key of `entry` by reflection.
MapEntryRef ReadKey(const google::protobuf::Message& entry, const PlannedField& f) {
  const google::protobuf::Reflection& r = *entry.GetReflection();
  const FieldDescriptor* d = f.map_key;
  MapEntryRef k;
  k.entry = &entry;
  switch (f.key_kind) {
    case FieldKind::kString: {
      std::string scratch;  // Map entries never use the scratch.
      const std::string& s = r.GetStringReference(entry, d, &scratch);
      k.text = std::string_view(s.data(), s.size());
      break;
    }
    case FieldKind::kBool:
      k.bits = r.GetBool(entry, d);
      break;
    case FieldKind::kInt32:
      k.bits = int64_t{r.GetInt32(entry, d)} + kSignBias;
      break;
    case FieldKind::kInt64:
      k.bits = r.GetInt64(entry, d) + kSignBias;
      break;
    case FieldKind::kUInt32:
      k.bits = r.GetUInt32(entry, d);
      break;
    default:
      k.bits = r.GetUInt64(entry, d);
      break;
  }
  return k;
}

// Reads the key of a generated `entry` at `key.offset`.
MapEntryRef ReadKeyAt(const google::protobuf::Message& entry, const PlannedField& key) {
  MapEntryRef k;
  k.entry = &entry;
  const int32_t at = key.offset;
  switch (key.kind) {
    case FieldKind::kString: {
      const std::string& s = StringAt(entry, at);
      k.text = std::string_view(s.data(), s.size());
      break;
    }
    case FieldKind::kBool:
      k.bits = ScalarAt<bool>(entry, at);
      break;
    case FieldKind::kInt32:
      k.bits = int64_t{ScalarAt<int32_t>(entry, at)} + kSignBias;
      break;
    case FieldKind::kInt64:
      k.bits = ScalarAt<int64_t>(entry, at) + kSignBias;
      break;
    case FieldKind::kUInt32:
      k.bits = ScalarAt<uint32_t>(entry, at);
      break;
    default:
      k.bits = ScalarAt<uint64_t>(entry, at);
      break;
  }
  return k;
}

std::atomic<bool> fast_access_enabled{true};

}  // namespace

const google::protobuf::Reflection* FieldPlan::fast_reflection() const {
  return fast_access_enabled.load(std::memory_order_relaxed) ? fast_reflection_ : nullptr;
}

void SetFastAccessEnabledForTesting(bool enabled) { fast_access_enabled.store(enabled); }

void CollectSortedMapEntries(const google::protobuf::Message& msg,
                             const google::protobuf::Reflection& r, const PlannedField& f,
                             bool generated, std::vector<MapEntryRef>* entries) {
  entries->clear();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  // The map's repeated-entry view (synced by protobuf, thread-safe).
  const auto& items = r.GetRepeatedPtrField<google::protobuf::Message>(msg, f.field);
#pragma GCC diagnostic pop
  if (items.empty()) return;
  const PlannedField& key = f.entry->fields()[0];
  const bool by_offset = generated && key.offset >= 0 && f.entry->fast_reflection() != nullptr;
  entries->reserve(items.size());
  for (const google::protobuf::Message& item : items) {
    entries->push_back(by_offset ? ReadKeyAt(item, key) : ReadKey(item, f));
  }
  std::sort(entries->begin(), entries->end(), [](const MapEntryRef& a, const MapEntryRef& b) {
    return a.bits != b.bits ? a.bits < b.bits : a.text < b.text;
  });
}

// Owns every plan and enum table; builds them under one mutex.
class FieldPlanRegistry {
 public:
  static FieldPlanRegistry& Get() {
    static auto* registry = new FieldPlanRegistry();
    return *registry;
  }

  const FieldPlan& For(const Descriptor* type) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = plans_.find(type);
      if (it != plans_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    return BuildLocked(type);
  }

 private:
  // Returns the plan of `type`, building it and its children if needed.
  // A plan is registered before its children are built, so recursive types
  // terminate.
  const FieldPlan& BuildLocked(const Descriptor* type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto [it, inserted] = plans_.try_emplace(type);
    if (!inserted) return *it->second;
    it->second.reset(new FieldPlan(type));
    FieldPlan* plan = it->second.get();
    plan->fields_.reserve(type->field_count());
    for (int i = 0; i < type->field_count(); ++i) {
      plan->fields_.push_back(PlanField(type->field(i)));
    }
    FindOffsets(plan);
    return *plan;
  }

  // Sets the fields' offsets when `plan` is a generated type.
  static void FindOffsets(FieldPlan* plan) {
    const Descriptor* type = plan->type_;
    if (type->file()->pool() != google::protobuf::DescriptorPool::generated_pool()) {
      return;
    }
    const google::protobuf::Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    if (prototype == nullptr) return;
    LayoutProbe probe(*prototype);
    for (PlannedField& f : plan->fields_) f.offset = probe.Find(f.field);
    plan->fast_reflection_ = prototype->GetReflection();
    plan->prototype_ = prototype;
  }

  PlannedField PlanField(const FieldDescriptor* f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    PlannedField p;
    p.field = f;
    p.repeated = f->is_repeated();
    p.is_map = f->is_map();
    p.explicit_presence =
        !p.repeated && f->has_presence() && f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE;
    p.json_key = ",";
    AppendJsonString(f->json_name(), &p.json_key);
    p.json_key += ":";
    p.jsv_key = ",";
    AppendJsvString(f->json_name(), &p.jsv_key);
    p.jsv_key += ":";
    const FieldDescriptor* value = f;
    if (p.is_map) {
      p.map_key = f->message_type()->map_key();
      p.map_value = f->message_type()->map_value();
      p.key_kind = KindOf(p.map_key);
      value = p.map_value;
      p.entry = &BuildLocked(f->message_type());
    }
    p.kind = KindOf(value);
    if (p.kind == FieldKind::kEnum) p.enum_names = EnumsLocked(value->enum_type());
    if (p.kind == FieldKind::kMessage) p.message = &BuildLocked(value->message_type());
    return p;
  }

  const EnumNames* EnumsLocked(const EnumDescriptor* type) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto& slot = enums_[type];
    if (slot == nullptr) slot = std::make_unique<EnumNames>(type);
    return slot.get();
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<FieldPlan>> plans_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const EnumDescriptor*, std::unique_ptr<EnumNames>> enums_
      ABSL_GUARDED_BY(mu_);
};

const FieldPlan& FieldPlan::For(const Descriptor* type) {
  return FieldPlanRegistry::Get().For(type);
}

}  // namespace sessions::gateway
