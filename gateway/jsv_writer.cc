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

template <typename T>
inline void AppendInt(T value, std::string* out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, res.ptr);
}

template <typename T>
void AppendJsvFloat(T value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
  } else if constexpr (sizeof(T) == sizeof(float)) {
    AppendShortestFloat(value, out);
  } else {
    AppendShortestDouble(value, out);
  }
}

inline void AppendBool(bool value, std::string* out) {
  if (value) {
    out->append("True", 4);
  } else {
    out->append("False", 5);
  }
}

void AppendEnum(const EnumNames* names, int number, std::string* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendInt(number, out);
  } else {
    out->append(*name);
  }
}

void AppendBytes(const std::string& value, std::string* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->append(encoded);  // Base64 has no quote triggers.
}

// See json_writer.cc: the ',' before the first member becomes `open`.
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

void WriteElement(const Message& msg, const Reflection& r,
                  const PlannedField& f, int i, std::string* out) {
  const FieldDescriptor* d = f.field;
  std::string scratch;
  switch (f.kind) {
    case FieldKind::kString:
      AppendJsvString(r.GetRepeatedStringReference(msg, d, i, &scratch), out);
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
      AppendJsvFloat(r.GetRepeatedDouble(msg, d, i), out);
      break;
    case FieldKind::kFloat:
      AppendJsvFloat(r.GetRepeatedFloat(msg, d, i), out);
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
      AppendJsvString(r.GetStringReference(msg, d, &scratch), out);
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
    case FieldKind::kDouble: AppendJsvFloat(r.GetDouble(msg, d), out); break;
    case FieldKind::kFloat: AppendJsvFloat(r.GetFloat(msg, d), out); break;
    case FieldKind::kEnum:
      AppendEnum(f.enum_names, r.GetEnumValue(msg, d), out);
      break;
    case FieldKind::kMessage:
      WriteObject(r.GetMessage(msg, d), *f.message, out);
      break;
  }
}

// Writes a map as `{key:value,...}` with entries sorted by key.
void WriteMap(const Message& msg, const PlannedField& f, std::string* out) {
  std::vector<const Message*> entries;
  CollectSortedMapEntries(msg, f, &entries);
  const size_t start = out->size();
  for (const Message* entry : entries) {
    const Reflection& er = *entry->GetReflection();
    out->push_back(',');
    AppendValue(*entry, er, f.map_key, f.key_kind, f, out);
    out->push_back(':');
    AppendValue(*entry, er, f.map_value, f.kind, f, out);
  }
  CloseAggregate(start, '{', '}', out);
}

// Writes a singular field with its key, or nothing when it is omitted
// (same rules as JsonWriter).
void WriteSingular(const Message& msg, const Reflection& r,
                   const PlannedField& f, std::string* out) {
  const FieldDescriptor* d = f.field;
  if (f.explicit_presence) {
    if (!r.HasField(msg, d)) return;
  } else if (f.kind == FieldKind::kString || f.kind == FieldKind::kBytes) {
    std::string scratch;
    const std::string& s = r.GetStringReference(msg, d, &scratch);
    if (s.empty()) return;
    out->append(f.jsv_key);
    if (f.kind == FieldKind::kString) {
      AppendJsvString(s, out);
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

void WriteObject(const Message& msg, const FieldPlan& plan, std::string* out) {
  const Reflection& r = *msg.GetReflection();
  const size_t start = out->size();
  for (const PlannedField& f : plan.fields()) {
    if (!f.repeated) {
      WriteSingular(msg, r, f, out);
    } else {
      out->append(f.jsv_key);
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

void AppendJsvString(std::string_view s, std::string* out) {
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

void JsvWriter::Write(const Message& msg, std::string* out) {
  WriteObject(msg, FieldPlan::For(msg.GetDescriptor()), out);
}

}  // namespace sessions::gateway
