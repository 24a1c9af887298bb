#include "gateway/transcode/path_template.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

// `path` as sent, without percent-encoding: the last ':' of the last
// segment starts the verb.
RequestPath Segs(const std::string& path) {
  RequestPath result;
  result.segments = absl::StrSplit(path.substr(1), '/');
  std::string& last = result.segments.back();
  const size_t colon = last.rfind(':');
  if (colon != std::string::npos) {
    result.verb = last.substr(colon + 1);
    last.resize(colon);
  }
  return result;
}

TEST(PathTemplateTest, LiteralMatchesExactly) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse("/portal/active-sessions");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(t->IsLiteral());
  EXPECT_TRUE(t->Match(Segs("/portal/active-sessions"), nullptr));
  EXPECT_FALSE(t->Match(Segs("/portal/active-sessions/x"), nullptr));
  EXPECT_FALSE(t->Match(Segs("/portal"), nullptr));
  EXPECT_FALSE(t->Match(Segs("/portal/Active-Sessions"), nullptr));
}

TEST(PathTemplateTest, VariablesBind) {
  absl::StatusOr<PathTemplate> t =
      PathTemplate::Parse("/v1/sessions/{session_id}/members/{identity=*}");
  ASSERT_TRUE(t.ok()) << t.status();
  std::vector<PathTemplate::Binding> b;
  ASSERT_TRUE(t->Match(Segs("/v1/sessions/s1/members/alice"), &b));
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].field_path, "session_id");
  EXPECT_EQ(b[0].value, "s1");
  EXPECT_EQ(b[1].field_path, "identity");
  EXPECT_EQ(b[1].value, "alice");
  EXPECT_FALSE(t->Match(Segs("/v1/sessions//members/alice"), &b));
}

TEST(PathTemplateTest, VerbSuffix) {
  absl::StatusOr<PathTemplate> upsert = PathTemplate::Parse("/v1/sessions:upsert");
  ASSERT_TRUE(upsert.ok()) << upsert.status();
  EXPECT_EQ(upsert->verb(), "upsert");
  EXPECT_TRUE(upsert->Match(Segs("/v1/sessions:upsert"), nullptr));
  EXPECT_FALSE(upsert->Match(Segs("/v1/sessions"), nullptr));
  EXPECT_FALSE(upsert->Match(Segs("/v1/sessions:batchUpsert"), nullptr));

  absl::StatusOr<PathTemplate> end = PathTemplate::Parse("/v1/sessions/{session_id}:end");
  ASSERT_TRUE(end.ok()) << end.status();
  std::vector<PathTemplate::Binding> b;
  ASSERT_TRUE(end->Match(Segs("/v1/sessions/abc:end"), &b));
  EXPECT_EQ(b[0].value, "abc");
  EXPECT_FALSE(end->Match(Segs("/v1/sessions/:end"), &b));
  EXPECT_FALSE(end->Match(Segs("/v1/sessions/abc"), &b));
}

TEST(PathTemplateTest, ColonInsideADecodedSegmentIsNotAVerb) {
  absl::StatusOr<PathTemplate> end = PathTemplate::Parse("/v1/sessions/{session_id}:end");
  ASSERT_TRUE(end.ok()) << end.status();
  // "/v1/sessions/abc%3Aend": one decoded segment "abc:end", no verb.
  RequestPath encoded_colon{{"v1", "sessions", "abc:end"}, std::nullopt};
  std::vector<PathTemplate::Binding> b;
  EXPECT_FALSE(end->Match(encoded_colon, &b));

  absl::StatusOr<PathTemplate> get = PathTemplate::Parse("/v1/sessions/{session_id}");
  ASSERT_TRUE(get.ok()) << get.status();
  ASSERT_TRUE(get->Match(encoded_colon, &b));
  EXPECT_EQ(b[0].value, "abc:end");
  // Without a verb in the template, a sent ':' is part of the id.
  ASSERT_TRUE(get->Match(Segs("/v1/sessions/sip:alice"), &b));
  EXPECT_EQ(b[0].value, "sip:alice");
}

TEST(PathTemplateTest, MultiSegmentVariables) {
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse("/v1/{name=items/*}/x/{rest=**}");
  ASSERT_TRUE(t.ok()) << t.status();
  std::vector<PathTemplate::Binding> b;
  ASSERT_TRUE(t->Match(Segs("/v1/items/7/x/a/b/c"), &b));
  EXPECT_EQ(b[0].value, "items/7");
  EXPECT_EQ(b[1].value, "a/b/c");
  EXPECT_FALSE(t->Match(Segs("/v1/things/7/x/a"), &b));
}

TEST(PathTemplateTest, RejectsMalformedTemplates) {
  for (const char* bad : {"", "no-slash", "/a//b", "/a/", "/{unclosed", "/{1bad}", "/a{b}",
                          "/{a={b}}", "/**/a", "/a:"}) {
    EXPECT_FALSE(PathTemplate::Parse(bad).ok()) << bad;
  }
}

TEST(PathTemplateTest, OpenApiPathNamesEachVariableOnce) {
  struct Case {
    const char* text;
    const char* openapi;
    std::vector<std::string> variables;
  };
  for (const Case& c : std::vector<Case>{
           {"/portal/active-sessions", "/portal/active-sessions", {}},
           {"/v1/sessions/{session_id}:end", "/v1/sessions/{session_id}:end", {"session_id"}},
           {"/v1/{name=items/*}/x/{session.id}",
            "/v1/{name}/x/{session.id}",
            {"name", "session.id"}},
           {"/v1/*/files/{path=**}", "/v1/*/files/{path}", {"path"}},
       }) {
    absl::StatusOr<PathTemplate> t = PathTemplate::Parse(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status();
    EXPECT_EQ(t->OpenApiPath(), c.openapi);
    EXPECT_EQ(t->VariableFieldPaths(), c.variables) << c.text;
  }
}

}  // namespace
}  // namespace sessions::gateway
