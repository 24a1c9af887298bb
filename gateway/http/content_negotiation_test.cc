#include "gateway/http/content_negotiation.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

constexpr auto kJson = ResponseFormat::kJson;
constexpr auto kJsv = ResponseFormat::kJsv;

TEST(ContentNegotiationTest, Suffix) {
  std::string path = "active-sessions.jsv";
  EXPECT_EQ(StripFormatSuffix(&path), kJsv);
  EXPECT_EQ(path, "active-sessions");
  path = "active-sessions.JSON";
  EXPECT_EQ(StripFormatSuffix(&path), kJson);
  EXPECT_EQ(path, "active-sessions");
  path = "active-sessions.csv";
  EXPECT_EQ(StripFormatSuffix(&path), ResponseFormat::kCsv);
  EXPECT_EQ(path, "active-sessions");
  path = "active-sessions.xml";
  EXPECT_EQ(StripFormatSuffix(&path), ResponseFormat::kXml);
  EXPECT_EQ(path, "active-sessions");
  path = "file.yaml";
  EXPECT_EQ(StripFormatSuffix(&path), std::nullopt);
  EXPECT_EQ(path, "file.yaml");
}

TEST(ContentNegotiationTest, Accept) {
  EXPECT_EQ(FormatFromAccept("text/jsv"), kJsv);
  EXPECT_EQ(FormatFromAccept("application/json"), kJson);
  EXPECT_EQ(FormatFromAccept("*/*"), kJson);
  EXPECT_EQ(FormatFromAccept("text/html, text/jsv;q=0.1, application/json"), kJsv);
  EXPECT_EQ(FormatFromAccept("application/json;q=0.1, text/jsv"), kJson);  // q ignored
  EXPECT_EQ(FormatFromAccept("text/html, application/xml"), ResponseFormat::kXml);
  EXPECT_EQ(FormatFromAccept("text/xml"), ResponseFormat::kXml);
  EXPECT_EQ(FormatFromAccept("text/html, application/yaml"), std::nullopt);
  EXPECT_EQ(FormatFromAccept("text/html, text/csv"), ResponseFormat::kCsv);
  EXPECT_EQ(FormatFromAccept(""), std::nullopt);
}

// suffix x ?format x Accept: the first present wins; nothing means JSON.
TEST(ContentNegotiationTest, PrecedenceMatrix) {
  const std::optional<ResponseFormat> options[] = {std::nullopt, kJson, kJsv};
  const char* accepts[] = {"", "application/json", "text/jsv", "text/html", "*/*"};
  for (auto suffix : options) {
    for (auto query : options) {
      for (const char* accept : accepts) {
        ResponseFormat want = kJson;
        if (suffix) {
          want = *suffix;
        } else if (query) {
          want = *query;
        } else if (std::string(accept) == "text/jsv") {
          want = kJsv;
        }
        EXPECT_EQ(NegotiateFormat(suffix, query, accept), want) << accept;
      }
    }
  }
  EXPECT_EQ(ParseFormatParam("yaml"), std::nullopt);
  EXPECT_EQ(ParseFormatParam("XML"), ResponseFormat::kXml);
  EXPECT_EQ(ParseFormatParam("JSV"), kJsv);
  EXPECT_EQ(ParseFormatParam("csv"), ResponseFormat::kCsv);
}

TEST(ContentNegotiationTest, ContentTypes) {
  EXPECT_EQ(ContentTypeOf(kJson), "application/json; charset=utf-8");
  EXPECT_EQ(ContentTypeOf(kJsv), "text/jsv");
  EXPECT_EQ(ContentTypeOf(ResponseFormat::kCsv), "text/csv; charset=utf-8");
  EXPECT_EQ(ContentTypeOf(ResponseFormat::kXml), "application/xml");
}

}  // namespace
}  // namespace sessions::gateway
