// Finds field offsets in generated classes (see field_layout.h).

#include "gateway/codec/field_layout.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;

// Returns the width in bytes of a singular field of C++ type `type`.
int Width(FieldDescriptor::CppType type) {
  switch (type) {
    case FieldDescriptor::CPPTYPE_BOOL:
      return 1;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_ENUM:
      return 4;
    default:
      return 8;  // 64-bit numbers and pointers.
  }
}

}  // namespace

LayoutProbe::LayoutProbe(const google::protobuf::Message& prototype)
    : prototype_(prototype),
      r_(*prototype.GetReflection()),
      probe_(prototype.New()),
      // A fresh message owns no heap memory, so this is sizeof the class.
      size_(r_.SpaceUsedLong(*probe_)),
      before_(size_),
      after_(size_) {}

int32_t LayoutProbe::Find(const FieldDescriptor* d) {
  const FieldDescriptor::CppType type = d->cpp_type();
  const bool message = type == FieldDescriptor::CPPTYPE_MESSAGE;
  if (d->is_map()) return -1;
  if (d->is_repeated()) return message ? FindRepeated(d) : -1;
  if (d->has_presence() && !message) return -1;  // Has-bits: explicit presence.
  const bool pointer = message || type == FieldDescriptor::CPPTYPE_STRING;
  const int32_t offset = pointer ? FindPointer(d) : FindScalar(d);
  bool ok = Matches(*probe_, d, offset);
  r_.ClearField(probe_.get(), d);
  ok = ok && Matches(*probe_, d, offset) && Matches(prototype_, d, offset);
  return ok ? offset : -1;
}

// Strings and sub-messages: the aligned word that points to (tagged, for
// strings) the object reflection returns.
int32_t LayoutProbe::FindPointer(const FieldDescriptor* d) {
  std::string scratch;
  const void* target;
  if (d->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    target = r_.MutableMessage(probe_.get(), d);
  } else {
    r_.SetString(probe_.get(), d, "a probe value longer than any SSO");
    target = &r_.GetStringReference(*probe_, d, &scratch);
  }
  for (size_t at = 0; at + sizeof(uintptr_t) <= size_; at += sizeof(uintptr_t)) {
    uintptr_t word;
    std::memcpy(&word, reinterpret_cast<const char*>(probe_.get()) + at, sizeof(word));
    if ((word & ~uintptr_t{3}) == reinterpret_cast<uintptr_t>(target)) {
      return static_cast<int32_t>(at);
    }
  }
  return -1;
}

// Scalars: set two values whose bytes all differ and find the bytes that
// changed (has-bits, if the class has any, are set in both states).
int32_t LayoutProbe::FindScalar(const FieldDescriptor* d) {
  SetProbeValue(d, false);
  std::memcpy(before_.data(), probe_.get(), size_);
  SetProbeValue(d, true);
  std::memcpy(after_.data(), probe_.get(), size_);
  int first = -1, last = -1;
  for (size_t i = 0; i < size_; ++i) {
    if (before_[i] == after_[i]) continue;
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
  }
  const int width = Width(d->cpp_type());
  const int32_t offset = first < 0 ? -1 : first & ~(width - 1);
  return offset >= 0 && last < offset + width ? offset : -1;
}

// Sets scalar `d` to a bit pattern, or (`complement`) to its complement.
void LayoutProbe::SetProbeValue(const FieldDescriptor* d, bool complement) {
  google::protobuf::Message* m = probe_.get();
  const uint32_t u32 = complement ? ~0x5A3C1E0Fu : 0x5A3C1E0Fu;
  const uint64_t u64 = complement ? ~uint64_t{0x5A3C1E0F12345678} : uint64_t{0x5A3C1E0F12345678};
  float flt;
  double dbl;
  std::memcpy(&flt, &u32, sizeof(flt));
  std::memcpy(&dbl, &u64, sizeof(dbl));
  switch (d->cpp_type()) {
    case FieldDescriptor::CPPTYPE_BOOL:
      r_.SetBool(m, d, !complement);
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      r_.SetInt32(m, d, static_cast<int32_t>(u32));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      r_.SetUInt32(m, d, u32);
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      r_.SetEnumValue(m, d, static_cast<int32_t>(u32));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      r_.SetInt64(m, d, static_cast<int64_t>(u64));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      r_.SetUInt64(m, d, u64);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      r_.SetFloat(m, d, flt);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      r_.SetDouble(m, d, dbl);
      break;
    default:
      break;
  }
}

// Returns whether reading `d` at `offset` of `m` agrees with reflection.
bool LayoutProbe::Matches(const google::protobuf::Message& m, const FieldDescriptor* d,
                          int32_t offset) const {
  if (offset < 0 || offset + Width(d->cpp_type()) > static_cast<int>(size_)) {
    return false;
  }
  std::string scratch;
  switch (d->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return &StringAt(m, offset) == &r_.GetStringReference(m, d, &scratch);
    case FieldDescriptor::CPPTYPE_BOOL:
      return ScalarAt<bool>(m, offset) == r_.GetBool(m, d);
    case FieldDescriptor::CPPTYPE_INT32:
      return ScalarAt<int32_t>(m, offset) == r_.GetInt32(m, d);
    case FieldDescriptor::CPPTYPE_UINT32:
      return ScalarAt<uint32_t>(m, offset) == r_.GetUInt32(m, d);
    case FieldDescriptor::CPPTYPE_ENUM:
      return ScalarAt<int32_t>(m, offset) == r_.GetEnumValue(m, d);
    case FieldDescriptor::CPPTYPE_INT64:
      return ScalarAt<int64_t>(m, offset) == r_.GetInt64(m, d);
    case FieldDescriptor::CPPTYPE_UINT64:
      return ScalarAt<uint64_t>(m, offset) == r_.GetUInt64(m, d);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return ScalarAt<float>(m, offset) == r_.GetFloat(m, d);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return ScalarAt<double>(m, offset) == r_.GetDouble(m, d);
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const google::protobuf::Message* sub = MessageAt(m, offset);
      return r_.HasField(m, d) ? sub == &r_.GetMessage(m, d) : sub == nullptr;
    }
  }
  return false;
}

int32_t LayoutProbe::FindRepeated(const FieldDescriptor* d) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const auto& field = r_.GetRepeatedPtrField<google::protobuf::Message>(*probe_, d);
#pragma GCC diagnostic pop
  const intptr_t offset =
      reinterpret_cast<const char*>(&field) - reinterpret_cast<const char*>(probe_.get());
  if (offset < 0 || offset + sizeof(field) > size_) return -1;
  const google::protobuf::Message* added = r_.AddMessage(probe_.get(), d);
  const auto& at = RepeatedMessagesAt(*probe_, static_cast<int32_t>(offset));
  const bool ok = at.size() == 1 && &at.Get(0) == added;
  r_.ClearField(probe_.get(), d);
  return ok ? static_cast<int32_t>(offset) : -1;
}

}  // namespace sessions::gateway
