// JsonWriter: the JSON tokens of ServiceStack's dialect, written by the shared
// FieldPlan traversal (message_walker.h). See json_writer.h.

#include "gateway/codec/json_writer.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "gateway/codec/field_plan.h"
#include "gateway/codec/message_walker.h"

namespace sessions::gateway {
namespace {

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

// The JSON tokens of the shared traversal (see message_walker.h).
struct JsonFormat {
  static const std::string& Key(const PlannedField& f) { return f.json_key; }
  static void AppendString(std::string_view s, OutputBuffer* out) {
    EscapeJson(s, out);
  }
  static void AppendBytes(const std::string& value, OutputBuffer* out);
  static void AppendBool(bool value, OutputBuffer* out) {
    if (value) {
      out->append("true", 4);
    } else {
      out->append("false", 5);
    }
  }
  // NaN and infinities as the strings protobuf's JSON uses.
  template <typename T>
  static void AppendFloat(T value, OutputBuffer* out);
  static void AppendEnum(const EnumNames* names, int number,
                         OutputBuffer* out);
  // Object keys are strings: numbers and bools are quoted.
  static void AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                           OutputBuffer* out);
};

void JsonFormat::AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->push_back('"');
  out->append(encoded);
  out->push_back('"');
}

template <typename T>
void JsonFormat::AppendFloat(T value, OutputBuffer* out) {
  if (std::isfinite(value)) {
    AppendNumber(value, out);
  } else if (std::isnan(value)) {
    out->append("\"NaN\"");
  } else {
    out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  }
}

void JsonFormat::AppendEnum(const EnumNames* names, int number,
                            OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
    return;
  }
  out->push_back('"');
  out->append(*name);
  out->push_back('"');
}

void JsonFormat::AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                              OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString: EscapeJson(e.text, out); return;
    case FieldKind::kBool: out->append(e.bits ? "\"true\"" : "\"false\""); return;
    default: break;
  }
  out->push_back('"');
  if (f.key_kind == FieldKind::kInt32 || f.key_kind == FieldKind::kInt64) {
    AppendNumber(e.signed_key(), out);
  } else {
    AppendNumber(e.bits, out);
  }
  out->push_back('"');
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  EscapeJson(s, &buffer);
}

void JsonWriter::Write(const google::protobuf::Message& msg, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsonFormat>::Write(msg, &buffer);
}

}  // namespace sessions::gateway
