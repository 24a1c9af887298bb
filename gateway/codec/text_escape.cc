#include "gateway/codec/text_escape.h"

#include <cstdint>
#include <cstring>

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
  const uint64_t t =
      ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((w - kOnes * 0x20) & ~w);
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
    case '"':
      *d++ = '"';
      break;
    case '\\':
      *d++ = '\\';
      break;
    case '\n':
      *d++ = 'n';
      break;
    case '\r':
      *d++ = 'r';
      break;
    case '\t':
      *d++ = 't';
      break;
    case '\b':
      *d++ = 'b';
      break;
    case '\f':
      *d++ = 'f';
      break;
    default:
      std::memcpy(d, "u00", 3);
      d[3] = kHex[c >> 4];
      d[4] = kHex[c & 0xF];
      d += 5;
  }
  return d;
}

}  // namespace

void AppendJsonString(std::string_view s, OutputBuffer* out) {
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

void AppendJsonString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  AppendJsonString(s, &buffer);
}

namespace {

inline bool IsQuoteTrigger(char c) {
  switch (c) {
    case '"':
    case ':':
    case ',':
    case '{':
    case '}':
    case '[':
    case ']':
    case '\r':
    case '\n':
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
  const uint64_t t = ZeroBytes(w, '"') | ZeroBytes(w, ':') | ZeroBytes(w, ',') |
                     ZeroBytes(w, '\r') | ZeroBytes(w, '\n') | ZeroBytes(folded, '{') |
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

}  // namespace

void AppendJsvString(std::string_view s, OutputBuffer* out) {
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

void AppendJsvString(std::string_view s, std::string* out) {
  OutputBuffer buffer(out);
  AppendJsvString(s, &buffer);
}

namespace {

constexpr char kReplacementCharacter[] = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC
// 3629: no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t n = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // the bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

void AppendXmlText(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out->append("&amp;");
          break;
        case '<':
          out->append("&lt;");
          break;
        case '>':
          out->append("&gt;");
          break;
        case '\r':
          out->append("&#xD;");
          break;
        case '\t':
        case '\n':
          out->push_back(static_cast<char>(c));
          break;
        default:
          if (c < 0x20) {
            out->append(kReplacementCharacter);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s.substr(i));
    const bool nonchar = n == 3 && c == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
                         static_cast<unsigned char>(s[i + 2]) >= 0xBE;
    if (n == 0 || nonchar) {
      out->append(kReplacementCharacter);
      i += n == 0 ? 1 : n;
      continue;
    }
    out->append(s.data() + i, n);
    i += n;
  }
}

}  // namespace sessions::gateway
