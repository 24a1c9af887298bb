// JsvWriter: the JSV tokens of ServiceStack's format, written by the shared
// FieldPlan traversal (message_walker.h). See jsv_writer.h.

#include "gateway/codec/jsv_writer.h"

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

// The JSV tokens of the shared traversal (see message_walker.h).
struct JsvFormat {
  static const std::string& Key(const PlannedField& f) { return f.jsv_key; }
  static void AppendString(std::string_view s, OutputBuffer* out) {
    QuoteJsv(s, out);
  }
  static void AppendBytes(const std::string& value, OutputBuffer* out);
  static void AppendBool(bool value, OutputBuffer* out) {
    if (value) {
      out->append("True", 4);
    } else {
      out->append("False", 5);
    }
  }
  template <typename T>
  static void AppendFloat(T value, OutputBuffer* out);
  static void AppendEnum(const EnumNames* names, int number,
                         OutputBuffer* out);
  // Strings quoted when needed, numbers and bools as they are.
  static void AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                           OutputBuffer* out);
};

void JsvFormat::AppendBytes(const std::string& value, OutputBuffer* out) {
  std::string encoded;
  absl::Base64Escape(value, &encoded);
  out->append(encoded);  // Base64 has no quote triggers.
}

template <typename T>
void JsvFormat::AppendFloat(T value, OutputBuffer* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
  } else {
    AppendNumber(value, out);  // Shortest round-trip form.
  }
}

void JsvFormat::AppendEnum(const EnumNames* names, int number,
                           OutputBuffer* out) {
  const std::string* name = names->Find(number);
  if (name == nullptr) {
    AppendNumber(number, out);
  } else {
    out->append(*name);
  }
}

void JsvFormat::AppendMapKey(const MapEntryRef& e, const PlannedField& f,
                             OutputBuffer* out) {
  switch (f.key_kind) {
    case FieldKind::kString: QuoteJsv(e.text, out); break;
    case FieldKind::kBool: AppendBool(e.bits != 0, out); break;
    case FieldKind::kInt32:
    case FieldKind::kInt64:
      AppendNumber(e.signed_key(), out);
      break;
    default: AppendNumber(e.bits, out); break;
  }
}

}  // namespace

void AppendJsvString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  QuoteJsv(s, &buffer);
}

void JsvWriter::Write(const google::protobuf::Message& msg, std::string* out) {
  OutputBuffer buffer(out);
  MessageWalker<JsvFormat>::Write(msg, &buffer);
}

}  // namespace sessions::gateway
