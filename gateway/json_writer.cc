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
// it), which is all FindEscape needs.
inline uint64_t EscapeMask(uint64_t w) {
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t t = ((quote - kOnes) & ~quote) |
                     ((backslash - kOnes) & ~backslash) |
                     ((w - kOnes * 0x20) & ~w);
  return t & kHighBits;
}

// Returns the first byte in [p, end) that needs escaping, or end.
inline const char* FindEscape(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t mask = EscapeMask(w);
    if (mask != 0) return p + (__builtin_ctzll(mask) >> 3);
    p += 8;
  }
  while (p < end && !kEscape.needs[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

void AppendEscaped(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  char buf[6] = {'\\', 0, 0, 0, 0, 0};
  size_t n = 2;
  switch (c) {
    case '"': buf[1] = '"'; break;
    case '\\': buf[1] = '\\'; break;
    case '\n': buf[1] = 'n'; break;
    case '\r': buf[1] = 'r'; break;
    case '\t': buf[1] = 't'; break;
    case '\b': buf[1] = 'b'; break;
    case '\f': buf[1] = 'f'; break;
    default:
      buf[1] = 'u';
      buf[2] = '0';
      buf[3] = '0';
      buf[4] = kHex[c >> 4];
      buf[5] = kHex[c & 0xF];
      n = 6;
  }
  out->append(buf, n);
}

template <typename T>
inline void AppendInt(T value, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, res.ptr);
}

template <typename T>
void AppendJsonFloat(T value, std::string* out) {
  if (std::isfinite(value)) {
    if constexpr (sizeof(T) == sizeof(float)) {
      AppendShortestFloat(value, out);
    } else {
      AppendShortestDouble(value, out);
    }
  } else if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  }
}

inline void AppendBool(bool value, std::string* out) {
  if (value) {
    out->append("true", 4);
  } else {
    out->append("false", 5);
  }
}

void AppendEnum(const EnumNames* names, int number, std::string* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendInt(number, out);
    return;
  }
  out->push_back('"');
  out->append(*name);
  out->push_back('"');
}

void AppendBytes(const std::string& value, std::string* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->push_back('"');
  out->append(encoded);
  out->push_back('"');
}

// Replaces the leading ',' written before the first member of an object or
// array that started at `start` with `open`, then closes it.
inline void CloseAggregate(size_t start, char open, char close,
                           std::string* out) {
  if (out->size() == start) {
    out->push_back(open);
  } else {
    (*out)[start] = open;
  }
  out->push_back(close);
}

void WriteObject(const Message& msg, const FieldPlan& plan, std::string* out);

// Writes element `i` of a repeated (non-map) field.
void WriteElement(const Message& msg, const Reflection& r,
                  const PlannedField& f, int i, std::string* out) {
  const FieldDescriptor* d = f.field;
  std::string scratch;
  switch (f.kind) {
    case FieldKind::kString:
      AppendJsonString(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBytes:
      AppendBytes(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
      break;
    case FieldKind::kBool: AppendBool(r.GetRepeatedBool(msg, d, i), out); break;
    case FieldKind::kInt32: AppendInt(r.GetRepeatedInt32(msg, d, i), out); break;
    case FieldKind::kInt64: AppendInt(r.GetRepeatedInt64(msg, d, i), out); break;
    case FieldKind::kUInt32:
      AppendInt(r.GetRepeatedUInt32(msg, d, i), out);
      break;
    case FieldKind::kUInt64:
      AppendInt(r.GetRepeatedUInt64(msg, d, i), out);
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
      WriteObject(r.GetRepeatedMessage(msg, d, i), *f.message, out);
      break;
  }
}

void WriteArray(const Message& msg, const Reflection& r, const PlannedField& f,
                std::string* out) {
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
                 const PlannedField& f, std::string* out) {
  switch (kind) {
    case FieldKind::kString: {
      std::string scratch;
      AppendJsonString(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBytes: {
      std::string scratch;
      AppendBytes(r.GetStringReference(msg, d, &scratch), out);
      break;
    }
    case FieldKind::kBool: AppendBool(r.GetBool(msg, d), out); break;
    case FieldKind::kInt32: AppendInt(r.GetInt32(msg, d), out); break;
    case FieldKind::kInt64: AppendInt(r.GetInt64(msg, d), out); break;
    case FieldKind::kUInt32: AppendInt(r.GetUInt32(msg, d), out); break;
    case FieldKind::kUInt64: AppendInt(r.GetUInt64(msg, d), out); break;
    case FieldKind::kDouble: AppendJsonFloat(r.GetDouble(msg, d), out); break;
    case FieldKind::kFloat: AppendJsonFloat(r.GetFloat(msg, d), out); break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, r.GetEnumValue(msg, d), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetMessage(msg, d), *f.message, out);
      break;
  }
}

// Appends a map key as a JSON object key (numbers and bools quoted).
void AppendMapKey(const Message& entry, const Reflection& r,
                  const PlannedField& f, std::string* out) {
  const FieldDescriptor* d = f.map_key;
  switch (f.key_kind) {
    case FieldKind::kString: {
      std::string scratch;
      AppendJsonString(r.GetStringReference(entry, d, &scratch), out);
      return;
    }
    case FieldKind::kBool:
      out->append(r.GetBool(entry, d) ? "\"true\"" : "\"false\"");
      return;
    default:
      out->push_back('"');
      AppendValue(entry, r, d, f.key_kind, f, out);  // Integers.
      out->push_back('"');
  }
}

// Writes a map as an object with entries sorted by key.
void WriteMap(const Message& msg, const PlannedField& f, std::string* out) {
  std::vector<const Message*> entries;
  CollectSortedMapEntries(msg, f, &entries);
  const size_t start = out->size();
  for (const Message* entry : entries) {
    const Reflection& er = *entry->GetReflection();
    out->push_back(',');
    AppendMapKey(*entry, er, f, out);
    out->push_back(':');
    AppendValue(*entry, er, f.map_value, f.kind, f, out);
  }
  CloseAggregate(start, '{', '}', out);
}

// Writes a singular field with its key, or nothing when it is omitted:
// empty implicit-presence strings, unset messages, unset explicit-presence
// fields.
void WriteSingular(const Message& msg, const Reflection& r,
                   const PlannedField& f, std::string* out) {
  const FieldDescriptor* d = f.field;
  if (f.explicit_presence) {
    if (!r.HasField(msg, d)) return;
  } else if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    std::string scratch;
    const std::string& s = r.GetStringReference(msg, d, &scratch);
    if (s.empty()) return;
    out->append(f.json_key);
    if (f.kind == FieldKind::kString) {
      AppendJsonString(s, out);
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

void WriteObject(const Message& msg, const FieldPlan& plan, std::string* out) {
  const Reflection& r = *msg.GetReflection();
  const size_t start = out->size();
  for (const PlannedField& f : plan.fields()) {
    if (!f.repeated) {
      WriteSingular(msg, r, f, out);
    } else {
      out->append(f.json_key);
      if (f.is_map) {
        WriteMap(msg, f, out);
      } else {
        WriteArray(msg, r, f, out);
      }
    }
  }
  CloseAggregate(start, '{', '}', out);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  const char* p = s.data();
  const char* const end = p + s.size();
  out->push_back('"');
  while (true) {
    const char* run = p;
    p = FindEscape(p, end);
    out->append(run, p - run);
    if (p == end) break;
    AppendEscaped(static_cast<unsigned char>(*p), out);
    ++p;
  }
  out->push_back('"');
}

void JsonWriter::Write(const Message& msg, std::string* out) {
  WriteObject(msg, FieldPlan::For(msg.GetDescriptor()), out);
}

}  // namespace sessions::gateway
