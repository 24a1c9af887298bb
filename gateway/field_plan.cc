// Builds and caches FieldPlans (see field_plan.h).

#include "gateway/field_plan.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"

namespace sessions::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;

// Enums whose numbers span more than this many slots use a hash map.
constexpr int64_t kMaxDenseEnumRange = 1024;

// "SessionCallState" -> "SESSION_CALL_STATE" ("HTTPCode" -> "HTTP_CODE").
std::string UpperSnake(std::string_view camel) {
  std::string out;
  for (size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    const bool upper = absl::ascii_isupper(c);
    if (upper && i > 0) {
      const char prev = camel[i - 1];
      const bool next_lower =
          i + 1 < camel.size() && absl::ascii_islower(camel[i + 1]);
      if (absl::ascii_islower(prev) || absl::ascii_isdigit(prev) ||
          (absl::ascii_isupper(prev) && next_lower)) {
        out.push_back('_');
      }
    }
    out.push_back(absl::ascii_toupper(c));
  }
  return out;
}

// "RINGING_NOW" -> "RingingNow".
std::string UpperCamel(std::string_view snake) {
  std::string out;
  bool word_start = true;
  for (char c : snake) {
    if (c == '_') {
      word_start = true;
      continue;
    }
    out.push_back(word_start ? absl::ascii_toupper(c) : absl::ascii_tolower(c));
    word_start = false;
  }
  return out;
}

// One-time key escaping (the hot path uses json_writer's fast escaper).
std::string JsonQuoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04X", c);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string JsvQuoted(std::string_view s) {
  if (s.find_first_of("\":,{}[]\r\n") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

FieldKind KindOf(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return f->type() == FieldDescriptor::TYPE_BYTES ? FieldKind::kBytes
                                                      : FieldKind::kString;
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
  const std::string prefix = UpperSnake(v->type()->name()) + "_";
  std::string_view name = v->name();
  if (name.substr(0, prefix.size()) == prefix && name.size() > prefix.size() &&
      absl::ascii_isalpha(name[prefix.size()])) {
    name.remove_prefix(prefix.size());
  }
  return UpperCamel(name);
}

OutputBuffer::OutputBuffer(std::string* out) : out_(out) {
  pos_ = out->data() + out->size();
  end_ = pos_;
}

void OutputBuffer::Grow(size_t n) {
  constexpr size_t kChunk = 16 << 10;
  const size_t used = size();
  // Within the string's capacity a resize only zero-fills the new chunk.
  out_->resize(used + std::max({n, kChunk, used / 2}));
  pos_ = out_->data() + used;
  end_ = out_->data() + out_->size();
}

namespace {

// A map entry with its key, read once for sorting.
struct KeyedEntry {
  std::string_view text;  // String keys.
  uint64_t bits = 0;      // Integer / bool keys, biased to sort unsigned.
  const google::protobuf::Message* entry = nullptr;
};

KeyedEntry ReadKey(const google::protobuf::Message& entry,
                   const PlannedField& f) {
  const google::protobuf::Reflection& r = *entry.GetReflection();
  const FieldDescriptor* d = f.map_key;
  constexpr uint64_t kSignBias = uint64_t{1} << 63;
  KeyedEntry k;
  k.entry = &entry;
  switch (f.key_kind) {
    case FieldKind::kString: {
      std::string scratch;  // Generated map entries never use the scratch.
      const std::string& s = r.GetStringReference(entry, d, &scratch);
      k.text = std::string_view(s.data(), s.size());
      break;
    }
    case FieldKind::kBool: k.bits = r.GetBool(entry, d); break;
    case FieldKind::kInt32: k.bits = int64_t{r.GetInt32(entry, d)} + kSignBias; break;
    case FieldKind::kInt64: k.bits = r.GetInt64(entry, d) + kSignBias; break;
    case FieldKind::kUInt32: k.bits = r.GetUInt32(entry, d); break;
    default: k.bits = r.GetUInt64(entry, d); break;
  }
  return k;
}

// Finds field offsets in a generated class with public reflection only: set
// one field on a fresh probe message, diff the object's bytes, and accept the
// offset only if reading there gives exactly what reflection gives, both set
// and cleared, and on the default instance.
class LayoutProbe {
 public:
  explicit LayoutProbe(const google::protobuf::Message& prototype)
      : prototype_(prototype),
        r_(*prototype.GetReflection()),
        probe_(prototype.New()),
        // A fresh message owns no heap memory, so this is sizeof the class.
        size_(r_.SpaceUsedLong(*probe_)),
        before_(size_),
        after_(size_) {}

  // Returns the verified offset of `f`, or -1.
  int32_t Find(const PlannedField& f) {
    if (f.is_map || f.explicit_presence) return -1;
    if (f.repeated) return f.kind == FieldKind::kMessage ? FindRepeated(f) : -1;
    Snapshot(&before_);
    SetProbeValue(f);
    Snapshot(&after_);
    int first = -1, last = -1;
    for (size_t i = 0; i < size_; ++i) {
      if (before_[i] == after_[i]) continue;
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
    const int width = Width(f.kind);
    const int32_t offset = first < 0 ? -1 : first & ~(width - 1);
    bool ok = offset >= 0 && last < offset + width && Matches(*probe_, f, offset);
    r_.ClearField(probe_.get(), f.field);
    ok = ok && Matches(*probe_, f, offset) && Matches(prototype_, f, offset);
    return ok ? offset : -1;
  }

 private:
  void Snapshot(std::vector<char>* bytes) const {
    std::memcpy(bytes->data(), probe_.get(), size_);
  }

  static int Width(FieldKind kind) {
    switch (kind) {
      case FieldKind::kBool: return 1;
      case FieldKind::kInt32: case FieldKind::kUInt32:
      case FieldKind::kFloat: case FieldKind::kEnum: return 4;
      default: return 8;  // 64-bit numbers and pointers.
    }
  }

  // Sets `f` to a value whose bytes are all non-zero.
  void SetProbeValue(const PlannedField& f) {
    google::protobuf::Message* m = probe_.get();
    const FieldDescriptor* d = f.field;
    switch (f.kind) {
      case FieldKind::kString: case FieldKind::kBytes:
        r_.SetString(m, d, "a probe value longer than any SSO buffer"); break;
      case FieldKind::kBool: r_.SetBool(m, d, true); break;
      case FieldKind::kInt32: r_.SetInt32(m, d, 0x5A3C1E0F); break;
      case FieldKind::kUInt32: r_.SetUInt32(m, d, 0x5A3C1E0Fu); break;
      case FieldKind::kEnum: r_.SetEnumValue(m, d, 0x5A3C1E0F); break;
      case FieldKind::kInt64: r_.SetInt64(m, d, 0x5A3C1E0F12345678); break;
      case FieldKind::kUInt64: r_.SetUInt64(m, d, 0x5A3C1E0F12345678u); break;
      case FieldKind::kFloat: r_.SetFloat(m, d, -1.2345e-7f); break;
      case FieldKind::kDouble: r_.SetDouble(m, d, -1.2345678e-7); break;
      case FieldKind::kMessage: r_.MutableMessage(m, d); break;
    }
  }

  // Returns whether reading `f` at `offset` of `m` agrees with reflection.
  bool Matches(const google::protobuf::Message& m, const PlannedField& f,
               int32_t offset) const {
    if (offset < 0 || offset + Width(f.kind) > static_cast<int>(size_)) {
      return false;
    }
    const FieldDescriptor* d = f.field;
    std::string scratch;
    switch (f.kind) {
      case FieldKind::kString: case FieldKind::kBytes:
        return &StringAt(m, offset) == &r_.GetStringReference(m, d, &scratch);
      case FieldKind::kBool: return ScalarAt<bool>(m, offset) == r_.GetBool(m, d);
      case FieldKind::kInt32: return ScalarAt<int32_t>(m, offset) == r_.GetInt32(m, d);
      case FieldKind::kUInt32: return ScalarAt<uint32_t>(m, offset) == r_.GetUInt32(m, d);
      case FieldKind::kEnum: return ScalarAt<int32_t>(m, offset) == r_.GetEnumValue(m, d);
      case FieldKind::kInt64: return ScalarAt<int64_t>(m, offset) == r_.GetInt64(m, d);
      case FieldKind::kUInt64: return ScalarAt<uint64_t>(m, offset) == r_.GetUInt64(m, d);
      case FieldKind::kFloat: return ScalarAt<float>(m, offset) == r_.GetFloat(m, d);
      case FieldKind::kDouble: return ScalarAt<double>(m, offset) == r_.GetDouble(m, d);
      case FieldKind::kMessage: {
        const google::protobuf::Message* sub = MessageAt(m, offset);
        return r_.HasField(m, d) ? sub == &r_.GetMessage(m, d) : sub == nullptr;
      }
    }
    return false;
  }

  int32_t FindRepeated(const PlannedField& f) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    const auto& field = r_.GetRepeatedPtrField<google::protobuf::Message>(
        *probe_, f.field);
#pragma GCC diagnostic pop
    const intptr_t offset = reinterpret_cast<const char*>(&field) -
                            reinterpret_cast<const char*>(probe_.get());
    if (offset < 0 || offset + sizeof(field) > size_) return -1;
    const google::protobuf::Message* added = r_.AddMessage(probe_.get(), f.field);
    const auto& at = RepeatedMessagesAt(*probe_, static_cast<int32_t>(offset));
    const bool ok = at.size() == 1 && &at.Get(0) == added;
    r_.ClearField(probe_.get(), f.field);
    return ok ? static_cast<int32_t>(offset) : -1;
  }

  const google::protobuf::Message& prototype_;
  const google::protobuf::Reflection& r_;
  std::unique_ptr<google::protobuf::Message> probe_;
  const size_t size_;
  std::vector<char> before_;
  std::vector<char> after_;
};

std::atomic<bool> fast_access_enabled{true};

}  // namespace

const google::protobuf::Reflection* FieldPlan::fast_reflection() const {
  return fast_access_enabled.load(std::memory_order_relaxed) ? fast_reflection_
                                                              : nullptr;
}

void SetFastAccessEnabledForTesting(bool enabled) {
  fast_access_enabled.store(enabled);
}


void CollectSortedMapEntries(const google::protobuf::Message& msg,
                             const PlannedField& f,
                             std::vector<const google::protobuf::Message*>* entries) {
  entries->clear();
  const google::protobuf::Reflection& r = *msg.GetReflection();
  const int n = r.FieldSize(msg, f.field);
  if (n == 0) return;
  std::vector<KeyedEntry> keyed;
  keyed.reserve(n);
  for (int i = 0; i < n; ++i) {
    keyed.push_back(ReadKey(r.GetRepeatedMessage(msg, f.field, i), f));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const KeyedEntry& a, const KeyedEntry& b) {
              return a.bits != b.bits ? a.bits < b.bits : a.text < b.text;
            });
  entries->reserve(n);
  for (const KeyedEntry& k : keyed) entries->push_back(k.entry);
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
  const FieldPlan& BuildLocked(const Descriptor* type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
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
    for (PlannedField& f : plan->fields_) f.offset = probe.Find(f);
    plan->fast_reflection_ = prototype->GetReflection();
  }

  PlannedField PlanField(const FieldDescriptor* f)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    PlannedField p;
    p.field = f;
    p.repeated = f->is_repeated();
    p.is_map = f->is_map();
    p.explicit_presence = !p.repeated && f->has_presence() &&
                          f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE;
    p.json_key = "," + JsonQuoted(f->json_name()) + ":";
    p.jsv_key = "," + JsvQuoted(f->json_name()) + ":";
    const FieldDescriptor* value = f;
    if (p.is_map) {
      p.map_key = f->message_type()->map_key();
      p.map_value = f->message_type()->map_value();
      p.key_kind = KindOf(p.map_key);
      value = p.map_value;
    }
    p.kind = KindOf(value);
    if (p.kind == FieldKind::kEnum) p.enum_names = EnumsLocked(value->enum_type());
    if (p.kind == FieldKind::kMessage) p.message = &BuildLocked(value->message_type());
    return p;
  }

  const EnumNames* EnumsLocked(const EnumDescriptor* type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto& slot = enums_[type];
    if (slot == nullptr) slot = std::make_unique<EnumNames>(type);
    return slot.get();
  }

  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<FieldPlan>> plans_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const EnumDescriptor*, std::unique_ptr<EnumNames>> enums_
      ABSL_GUARDED_BY(mu_);
};

const FieldPlan& FieldPlan::For(const Descriptor* type) {
  return FieldPlanRegistry::Get().For(type);
}

}  // namespace sessions::gateway
