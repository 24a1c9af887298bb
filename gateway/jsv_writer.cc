// JsvWriter: ServiceStack JSV from a FieldPlan walk (jsv_writer.h).

#include "gateway/jsv_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gateway/field_plan.h"

namespace sessions::gateway {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;
constexpr uint64_t kSignBias = uint64_t{1} << 63;  // See MapEntryRef::bits.

inline bool IsQuoteTrigger(char c) {
  switch (c) {
    case '"': case ':': case ',': case '{': case '}': case '[': case ']':
    case '\r': case '\n':
      return true;
    default:
      return false;
  }
}

// High bit set in the bytes of `w` equal to `c` (lowest one exact).
inline uint64_t ZeroBytes(uint64_t w, unsigned char c) {
  const uint64_t x = w ^ (kOnes * c);
  return (x - kOnes) & ~x;
}

// Returns whether any byte of `w` is a quote trigger. '[' / '{' and ']' / '}'
// differ only in bit 5, so OR-ing it in checks both with one comparison.
inline bool WordNeedsQuotes(uint64_t w) {
  const uint64_t folded = w | (kOnes * 0x20);
  const uint64_t t = ZeroBytes(w, '"') | ZeroBytes(w, ':') |
                     ZeroBytes(w, ',') | ZeroBytes(w, '\r') |
                     ZeroBytes(w, '\n') | ZeroBytes(folded, '{') |
                     ZeroBytes(folded, '}');
  return (t & kHighBits) != 0;
}

bool NeedsQuotes(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  for (; end - p >= 8; p += 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (WordNeedsQuotes(w)) return true;
  }
  for (; p < end; ++p) {
    if (IsQuoteTrigger(*p)) return true;
  }
  return false;
}

// Appends `s` with JSV quoting (see AppendJsvString).
void QuoteJsv(std::string_view s, OutputBuffer* out) {
  if (s.empty()) {
    out->append("\"\"", 2);
    return;
  }
  if (!NeedsQuotes(s)) {
    out->append(s.data(), s.size());
    return;
  }
  out->push_back('"');
  for (;;) {
    const size_t quote = s.find('"');
    if (quote == std::string_view::npos) break;
    out->append(s.data(), quote + 1);
    out->push_back('"');  // Doubles the quote.
    s.remove_prefix(quote + 1);
  }
  out->append(s.data(), s.size());
  out->push_back('"');
}

template <typename T>
inline void AppendNumber(T value, OutputBuffer* out) {
  constexpr size_t kMaxChars = 32;  // Enough for any double or integer.
  char* p = out->Reserve(kMaxChars);
  out->Commit(std::to_chars(p, p + kMaxChars, value).ptr);
}

template <typename T>
void AppendJsvFloat(T value, OutputBuffer* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
  } else {
    AppendNumber(value, out);  // Shortest round-trip form.
  }
}

inline void AppendBool(bool value, OutputBuffer* out) {
  if (value) {
    out->append("True", 4);
  } else {
    out->append("False", 5);
  }
}

void AppendEnum(const EnumNames* names, int number, OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
  } else {
    out->append(*name);
  }
}

void AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->append(encoded);  // Base64 has no quote triggers.
}

// See json_writer.cc: the ',' before the first member becomes `open`.
inline void CloseAggregate(size_t start, char open, char close,
                           OutputBuffer* out) {
  if (out->size() == start) {
    out->push_back(open);
  } else {
    (*out)[start] = open;
  }
  out->push_back(close);
}

void WriteObject(const Message& msg, const FieldPlan& plan, bool generated,
                 OutputBuffer* out);
void AppendFastValue(const Message& msg, const PlannedField& f,
                     OutputBuffer* out);

void WriteElement(const Message& msg, const Reflection& r,
                  const PlannedField& f, int i, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  std::string scratch;
  switch (f.kind) {
    case FieldKind::kString:
      QuoteJsv(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBytes:
      AppendBytes(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBool: AppendBool(r.GetRepeatedBool(msg, d, i), out); break;
    case FieldKind::kInt32: AppendNumber(r.GetRepeatedInt32(msg, d, i), out); break;
    case FieldKind::kInt64: AppendNumber(r.GetRepeatedInt64(msg, d, i), out); break;
    case FieldKind::kUInt32:
      AppendNumber(r.GetRepeatedUInt32(msg, d, i), out);
      break;
    case FieldKind::kUInt64:
      AppendNumber(r.GetRepeatedUInt64(msg, d, i), out);
      break;
    case FieldKind::kDouble:
      AppendJsvFloat(r.GetRepeatedDouble(msg, d, i), out);
      break;
    case FieldKind::kFloat:
      AppendJsvFloat(r.GetRepeatedFloat(msg, d, i), out);
      break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, r.GetRepeatedEnumValue(msg, d, i), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetRepeatedMessage(msg, d, i), *f.message, false, out);
      break;
  }
}

void WriteArray(const Message& msg, const Reflection& r, const PlannedField& f,
                OutputBuffer* out) {
  const int n = r.FieldSize(msg, f.field);
  const size_t start = out->size();
  for (int i = 0; i < n; ++i) {
    out->push_back(',');
    WriteElement(msg, r, f, i, out);
  }
  CloseAggregate(start, '[', ']', out);
}

// Appends the value of singular field `d` of `msg`, of kind `kind`: `d` is
// f.field, or the key / value field of one of map field f's entries.
void AppendValue(const Message& msg, const Reflection& r,
                 const FieldDescriptor* d, FieldKind kind,
                 const PlannedField& f, OutputBuffer* out) {
  switch (kind) {
    case FieldKind::kString: {
      std::string scratch;
      QuoteJsv(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBytes: {
      std::string scratch;
      AppendBytes(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBool: AppendBool(r.GetBool(msg, d), out); break;
    case FieldKind::kInt32: AppendNumber(r.GetInt32(msg, d), out); break;
    case FieldKind::kInt64: AppendNumber(r.GetInt64(msg, d), out); break;
    case FieldKind::kUInt32: AppendNumber(r.GetUInt32(msg, d), out); break;
    case FieldKind::kUInt64: AppendNumber(r.GetUInt64(msg, d), out); break;
    case FieldKind::kDouble: AppendJsvFloat(r.GetDouble(msg, d), out); break;
    case FieldKind::kFloat: AppendJsvFloat(r.GetFloat(msg, d), out); break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, r.GetEnumValue(msg, d), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetMessage(msg, d), *f.message, false, out);
      break;
  }
}

// Writes a singular field with its key, or nothing when it is omitted
// (same rules as JsonWriter).
void WriteSingular(const Message& msg, const Reflection& r,
                   const PlannedField& f, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  if (f.explicit_presence) {
    if (!r.HasField(msg, d)) return;
  } else if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    std::string scratch;
    const std::string& s = r.GetStringReference(msg, d, &scratch);
    if (s.empty()) return;
    out->append(f.jsv_key);
    if (f.kind == FieldKind::kString) {
      QuoteJsv(s, out);
    } else {
      AppendBytes(s, out);
    }
    return;
  } else if (f.kind == FieldKind::kMessage && !r.HasField(msg, d)) {
    return;
  }
  out->append(f.jsv_key);
  AppendValue(msg, r, d, f.kind, f, out);
}

// Appends a map key: strings quoted when needed, numbers and bools as is.
void AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                  OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString: QuoteJsv(e.text, out); break;
    case FieldKind::kBool: AppendBool(e.bits != 0, out); break;
    case FieldKind::kInt32:
    case FieldKind::kInt64:
      AppendNumber(static_cast<int64_t>(e.bits - kSignBias), out);
      break;
    default: AppendNumber(e.bits, out); break;
  }
}

// Writes a map as an object with entries sorted by key.
void WriteMap(const Message& msg, const Reflection& r, const PlannedField& f,
              bool generated, OutputBuffer* out) {
  std::vector<MapEntryRef> entries;
  CollectSortedMapEntries(msg, r, f, generated, &entries);
  const PlannedField& value = f.entry->fields()[1];
  const bool fast = generated && value.offset >= 0 &&
                    f.entry->fast_reflection() != nullptr;
  const size_t start = out->size();
  for (const MapEntryRef& e : entries) {
    out->push_back(',');
    AppendMapKey(e, f, out);
    out->push_back(':');
    if (fast) {
      AppendFastValue(*e.entry, value, out);
    } else {
      AppendValue(*e.entry, *e.entry->GetReflection(), f.map_value, f.kind, f,
                  out);
    }
  }
  CloseAggregate(start, '{', '}', out);
}

// Writes the elements of a repeated message field (of the generated class).
void WriteMessages(
    const google::protobuf::RepeatedPtrField<Message>& items,
    const FieldPlan& plan, OutputBuffer* out) {
  const size_t start = out->size();
  for (const Message& item : items) {
    out->push_back(',');
    WriteObject(item, plan, /*generated=*/true, out);
  }
  CloseAggregate(start, '[', ']', out);
}

// Appends the value of field `f` of generated `msg`, read at its offset.
// Never omits: an unset message is written as its defaults.
void AppendFastValue(const Message& msg, const PlannedField& f,
                     OutputBuffer* out) {
  const int32_t at = f.offset;
  switch (f.kind) {
    case FieldKind::kString: QuoteJsv(StringAt(msg, at), out); break;
    case FieldKind::kBytes: AppendBytes(StringAt(msg, at), out); break;
    case FieldKind::kBool: AppendBool(ScalarAt<bool>(msg, at), out); break;
    case FieldKind::kInt32: AppendNumber(ScalarAt<int32_t>(msg, at), out); break;
    case FieldKind::kInt64: AppendNumber(ScalarAt<int64_t>(msg, at), out); break;
    case FieldKind::kUInt32: AppendNumber(ScalarAt<uint32_t>(msg, at), out); break;
    case FieldKind::kUInt64: AppendNumber(ScalarAt<uint64_t>(msg, at), out); break;
    case FieldKind::kDouble: AppendJsvFloat(ScalarAt<double>(msg, at), out); break;
    case FieldKind::kFloat: AppendJsvFloat(ScalarAt<float>(msg, at), out); break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, ScalarAt<int32_t>(msg, at), out);
      break;
    case FieldKind::kMessage: {
      const Message* sub = MessageAt(msg, at);
      WriteObject(sub != nullptr ? *sub : *f.message->prototype(), *f.message,
                  /*generated=*/true, out);
      break;
    }
  }
}

// Writes field `f` of generated `msg` through its offset: the fast path,
// same omission rules as WriteSingular / WriteArray.
void WriteFast(const Message& msg, const PlannedField& f, OutputBuffer* out) {
  switch (f.kind) {
    case FieldKind::kString:
    case FieldKind::kBytes:
      if (StringAt(msg, f.offset).empty()) return;
      break;
    case FieldKind::kMessage:
      if (f.repeated) {
        out->append(f.jsv_key);
        WriteMessages(RepeatedMessagesAt(msg, f.offset), *f.message, out);
        return;
      }
      if (MessageAt(msg, f.offset) == nullptr) return;
      break;
    default:
      break;
  }
  out->append(f.jsv_key);
  AppendFastValue(msg, f, out);
}

// Writes `msg` as an object. `generated`: the caller knows `msg` is the
// generated class of `plan` (read from a generated parent), so fields with
// offsets are read directly and reflection is looked up only if needed.
void WriteObject(const Message& msg, const FieldPlan& plan, bool generated,
                 OutputBuffer* out) {
  generated = generated && plan.fast_reflection() != nullptr;
  const Reflection* r = nullptr;
  const size_t start = out->size();
  for (const PlannedField& f : plan.fields()) {
    if (generated && f.offset >= 0) {
      WriteFast(msg, f, out);
      continue;
    }
    if (r == nullptr) r = msg.GetReflection();
    if (!f.repeated) {
      WriteSingular(msg, *r, f, out);
      continue;
    }
    out->append(f.jsv_key);
    if (f.is_map) {
      WriteMap(msg, *r, f, generated, out);
    } else {
      WriteArray(msg, *r, f, out);
    }
  }
  CloseAggregate(start, '{', '}', out);
}

}  // namespace

void AppendJsvString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  QuoteJsv(s, &buffer);
}

void JsvWriter::Write(const Message& msg, std::string* out) {
  const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
  OutputBuffer buffer(out);
  WriteObject(msg, plan, msg.GetReflection() == plan.fast_reflection(),
              &buffer);
}

}  // namespace sessions::gateway
