// JsonWriter: ServiceStack-dialect JSON from a FieldPlan walk (json_writer.h).

#include "gateway/json_writer.h"

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

// Bytes that need escaping: control characters, '"' and '\'.
struct EscapeTable {
  bool needs[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) needs[c] = true;
    needs[static_cast<unsigned char>('"')] = true;
    needs[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapeTable kEscape;

// Returns a word with the high bit set in each byte of `w` that is '"', '\'
// or < 0x20. Only the lowest set bit is exact (borrows may flag bytes above
// it), which is all CopyClean needs.
inline uint64_t EscapeMask(uint64_t w) {
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t t = ((quote - kOnes) & ~quote) |
                     ((backslash - kOnes) & ~backslash) |
                     ((w - kOnes * 0x20) & ~w);
  return t & kHighBits;
}

// Copies bytes from `p` to `*d` until one needs escaping or the input ends,
// 8 at a time while scanning them; returns the new `p` (`*d` advanced by as
// much). May write up to 8 bytes beyond the copied ones.
inline const char* CopyClean(const char* p, const char* end, char** d) {
  char* out = *d;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    std::memcpy(out, &w, 8);
    const uint64_t mask = EscapeMask(w);
    if (mask != 0) {
      const int clean = __builtin_ctzll(mask) >> 3;
      *d = out + clean;
      return p + clean;
    }
    p += 8;
    out += 8;
  }
  while (p < end && !kEscape.needs[static_cast<unsigned char>(*p)]) {
    *out++ = *p++;
  }
  *d = out;
  return p;
}

// Writes the escape sequence of `c` at `d`; returns the end.
char* WriteEscape(unsigned char c, char* d) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  *d++ = '\\';
  switch (c) {
    case '"': *d++ = '"'; break;
    case '\\': *d++ = '\\'; break;
    case '\n': *d++ = 'n'; break;
    case '\r': *d++ = 'r'; break;
    case '\t': *d++ = 't'; break;
    case '\b': *d++ = 'b'; break;
    case '\f': *d++ = 'f'; break;
    default:
      std::memcpy(d, "u00", 3);
      d[3] = kHex[c >> 4];
      d[4] = kHex[c & 0xF];
      d += 5;
  }
  return d;
}

// Appends `s` quoted and escaped (see AppendJsonString).
void EscapeJson(std::string_view s, OutputBuffer* out) {
  const char* p = s.data();
  const char* const end = p + s.size();
  // Quotes + word overshoot; enough unless something needs escaping.
  char* d = out->Reserve(s.size() + 2 + 8);
  *d++ = '"';
  for (;;) {
    p = CopyClean(p, end, &d);
    if (p == end) break;
    out->Commit(d);
    d = out->Reserve((end - p) + 6 + 1 + 8);
    d = WriteEscape(static_cast<unsigned char>(*p++), d);
  }
  *d++ = '"';
  out->Commit(d);
}

template <typename T>
inline void AppendNumber(T value, OutputBuffer* out) {
  constexpr size_t kMaxChars = 32;  // Enough for any double or integer.
  char* p = out->Reserve(kMaxChars);
  out->Commit(std::to_chars(p, p + kMaxChars, value).ptr);
}

template <typename T>
void AppendJsonFloat(T value, OutputBuffer* out) {
  if (std::isfinite(value)) {
      AppendNumber(value, out);
  } else if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  }
}

inline void AppendBool(bool value, OutputBuffer* out) {
  if (value) {
    out->append("true", 4);
  } else {
    out->append("false", 5);
  }
}

void AppendEnum(const EnumNames* names, int number, OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
    return;
  }
  out->push_back('"');
  out->append(*name);
  out->push_back('"');
}

void AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->push_back('"');
  out->append(encoded);
  out->push_back('"');
}

// Replaces the leading ',' written before the first member of an object or
// array that started at `start` with `open`, then closes it.
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

// Writes element `i` of a repeated (non-map) field.
void WriteElement(const Message& msg, const Reflection& r,
                  const PlannedField& f, int i, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  std::string scratch;
  switch (f.kind) {
    case FieldKind::kString:
      EscapeJson(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
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
      AppendJsonFloat(r.GetRepeatedDouble(msg, d, i), out);
      break;
    case FieldKind::kFloat:
      AppendJsonFloat(r.GetRepeatedFloat(msg, d, i), out);
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
      EscapeJson(r.GetStringReference(msg, d, &scratch), out);
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
    case FieldKind::kDouble: AppendJsonFloat(r.GetDouble(msg, d), out); break;
    case FieldKind::kFloat: AppendJsonFloat(r.GetFloat(msg, d), out); break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, r.GetEnumValue(msg, d), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetMessage(msg, d), *f.message, false, out);
      break;
  }
}

// Writes a singular field with its key, or nothing when it is omitted:
// empty implicit-presence strings, unset messages, unset explicit-presence
// fields.
void WriteSingular(const Message& msg, const Reflection& r,
                   const PlannedField& f, OutputBuffer* out) {
  const FieldDescriptor* d = f.field;
  if (f.explicit_presence) {
    if (!r.HasField(msg, d)) return;
  } else if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    std::string scratch;
    const std::string& s = r.GetStringReference(msg, d, &scratch);
    if (s.empty()) return;
    out->append(f.json_key);
    if (f.kind == FieldKind::kString) {
      EscapeJson(s, out);
    } else {
      AppendBytes(s, out);
    }
    return;
  } else if (f.kind == FieldKind::kMessage && !r.HasField(msg, d)) {
    return;
  }
  out->append(f.json_key);
  AppendValue(msg, r, d, f.kind, f, out);
}

// Appends a map key as a JSON object key (numbers and bools quoted).
void AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                  OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString: EscapeJson(e.text, out); return;
    case FieldKind::kBool: out->append(e.bits ? "\"true\"" : "\"false\""); return;
    default: break;
  }
  out->push_back('"');
  if (f.key_kind == FieldKind::kInt32 || f.key_kind == FieldKind::kInt64) {
    AppendNumber(static_cast<int64_t>(e.bits - kSignBias), out);
  } else {
    AppendNumber(e.bits, out);
  }
  out->push_back('"');
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
    case FieldKind::kString: EscapeJson(StringAt(msg, at), out); break;
    case FieldKind::kBytes: AppendBytes(StringAt(msg, at), out); break;
    case FieldKind::kBool: AppendBool(ScalarAt<bool>(msg, at), out); break;
    case FieldKind::kInt32: AppendNumber(ScalarAt<int32_t>(msg, at), out); break;
    case FieldKind::kInt64: AppendNumber(ScalarAt<int64_t>(msg, at), out); break;
    case FieldKind::kUInt32: AppendNumber(ScalarAt<uint32_t>(msg, at), out); break;
    case FieldKind::kUInt64: AppendNumber(ScalarAt<uint64_t>(msg, at), out); break;
    case FieldKind::kDouble: AppendJsonFloat(ScalarAt<double>(msg, at), out); break;
    case FieldKind::kFloat: AppendJsonFloat(ScalarAt<float>(msg, at), out); break;
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
        out->append(f.json_key);
        WriteMessages(RepeatedMessagesAt(msg, f.offset), *f.message, out);
        return;
      }
      if (MessageAt(msg, f.offset) == nullptr) return;
      break;
    default:
      break;
  }
  out->append(f.json_key);
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
    out->append(f.json_key);
    if (f.is_map) {
      WriteMap(msg, *r, f, generated, out);
    } else {
      WriteArray(msg, *r, f, out);
    }
  }
  CloseAggregate(start, '{', '}', out);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  EscapeJson(s, &buffer);
}

void JsonWriter::Write(const Message& msg, std::string* out) {
  const FieldPlan& plan = FieldPlan::For(msg.GetDescriptor());
  OutputBuffer buffer(out);
  WriteObject(msg, plan, msg.GetReflection() == plan.fast_reflection(),
              &buffer);
}

}  // namespace sessions::gateway
