// Tests for the string rules of the wire formats: JSON escaping and JSV
// quoting, each against a slow reference at every offset (the fast scans
// read 8 bytes at a time).
#include "gateway/codec/text_escape.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

// The reference escaper the fast path must agree with.
std::string SlowJsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Jsv(const std::string& s) {
  std::string out;
  AppendJsvString(s, &out);
  return out;
}

// The reference quoting the fast scan must agree with.
std::string SlowJsv(const std::string& s) {
  if (s.empty()) return "\"\"";
  if (s.find_first_of("\":,{}[]\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

TEST(TextEscapeTest, EscapesSpecialCharacters) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\re\tf\bg\fh\x01i\x1fj/k\x7f", &out);
  EXPECT_EQ(out, R"("a\"b\\c\nd\re\tf\bg\fh\u0001i\u001Fj/k)"
                 "\x7f\"");
  out.clear();
  AppendJsonString("Zoë — 日本 🎉", &out);
  EXPECT_EQ(out, "\"Zoë — 日本 🎉\"");
  out.clear();
  AppendJsonString(std::string("a\0b", 3), &out);
  EXPECT_EQ(out, R"("a\u0000b")");
}

// Every special byte at every offset of strings of length 1..40, so both the
// 8-byte word scan and the byte tail see it (plus two escapes per string).
TEST(TextEscapeTest, EscapeAtEveryOffsetMatchesReference) {
  const std::string specials("\"\\\n\r\t\b\f\x01\x1f\x00", 10);
  for (size_t len = 0; len <= 40; ++len) {
    std::string clean(len, 'x');
    std::string out;
    AppendJsonString(clean, &out);
    ASSERT_EQ(out, SlowJsonString(clean));
    for (size_t pos = 0; pos < len; ++pos) {
      for (char c : specials) {
        std::string s = clean;
        s[pos] = c;
        s[len - 1 - pos] = '\xc3';  // Non-ASCII byte next to it.
        s[pos] = c;
        out.clear();
        AppendJsonString(s, &out);
        ASSERT_EQ(out, SlowJsonString(s)) << "len " << len << " pos " << pos;
      }
    }
  }
}

TEST(TextEscapeTest, AllByteValuesMatchReference) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t start = 0; start < 16; ++start) {
    const std::string s = all.substr(start);
    std::string out;
    AppendJsonString(s, &out);
    ASSERT_EQ(out, SlowJsonString(s));
  }
  std::string long_text(1000, 'a');
  for (size_t i = 0; i < long_text.size(); i += 37) long_text[i] = '"';
  std::string out;
  AppendJsonString(long_text, &out);
  EXPECT_EQ(out, SlowJsonString(long_text));
}

TEST(TextEscapeTest, QuotingRules) {
  EXPECT_EQ(Jsv("plain text"), "plain text");
  EXPECT_EQ(Jsv("back\\slash\ttab Zoë"), "back\\slash\ttab Zoë");
  EXPECT_EQ(Jsv(""), "\"\"");
  EXPECT_EQ(Jsv("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(Jsv("\"\""), "\"\"\"\"\"\"");
  for (char c : std::string("\":,{}[]\r\n")) {
    const std::string s = std::string("x") + c + "y";
    EXPECT_EQ(Jsv(s), SlowJsv(s)) << c;
    EXPECT_EQ(Jsv(s).front(), '"') << c;
  }
  // Bytes that differ from a trigger only in bit 5 must not trigger.
  EXPECT_EQ(Jsv(";=\x1a\x0c\x02\x2d\x5c\x7c"), ";=\x1a\x0c\x02\x2d\x5c\x7c");
}

TEST(TextEscapeTest, TriggerAtEveryOffsetMatchesReference) {
  const std::string triggers = "\":,{}[]\r\n";
  for (size_t len = 1; len <= 40; ++len) {
    const std::string clean(len, 'q');
    ASSERT_EQ(Jsv(clean), clean);
    for (size_t pos = 0; pos < len; ++pos) {
      for (char c : triggers) {
        std::string s = clean;
        s[pos] = c;
        ASSERT_EQ(Jsv(s), SlowJsv(s)) << "len " << len << " pos " << pos;
      }
    }
  }
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t start = 0; start < all.size(); ++start) {
    ASSERT_EQ(Jsv(all.substr(start)), SlowJsv(all.substr(start))) << start;
  }
}

}  // namespace
}  // namespace sessions::gateway
