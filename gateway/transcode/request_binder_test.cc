#include "gateway/transcode/request_binder.h"

#include <string>

#include "gateway/codec/field_index.h"
#include "gtest/gtest.h"
#include "testdata/echo_test.pb.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::gateway {
namespace {

using testdata::EchoRequest;
using voice::api::app::portal::v1::GetActiveSessionsRequest;

class RequestBinderTest : public ::testing::Test {
 protected:
  absl::Status Bind(const QueryParams& query, const std::string& body = "",
                    const std::string& body_field = "") {
    route_.fields = &echo_index_;
    route_.body_field = body_field;
    return BindRequest(route_, bindings_, query, body, &echo_);
  }

  FieldIndex echo_index_{EchoRequest::descriptor()};
  Route route_;
  std::vector<PathTemplate::Binding> bindings_;
  EchoRequest echo_;
};

TEST_F(RequestBinderTest, QueryNamesAreLoose) {
  FieldIndex index(GetActiveSessionsRequest::descriptor());
  Route route;
  route.fields = &index;
  for (const char* name : {"accountId", "AccountId", "accountid", "account_id", "ACCOUNT_ID"}) {
    GetActiveSessionsRequest request;
    ASSERT_TRUE(BindRequest(route, {}, {{name, "acme"}}, "", &request).ok()) << name;
    EXPECT_EQ(request.account_id(), "acme") << name;
  }
}

TEST_F(RequestBinderTest, EmptyValueIsUnsetAndUnknownIgnored) {
  ASSERT_TRUE(Bind({{"accountId", ""}, {"nope", "x"}, {"format", "json"}, {"count", ""}}).ok());
  EXPECT_EQ(echo_.account_id(), "");
  EXPECT_EQ(echo_.count(), 0);
}

TEST_F(RequestBinderTest, ScalarsByType) {
  absl::Status s = Bind({{"count", "42"},
                         {"big", "-9000000000"},
                         {"small", "7"},
                         {"flag", "true"},
                         {"ratio", "0.25"},
                         {"color", "DarkBlue"},
                         {"tags", "a"},
                         {"tags", "b"},
                         {"inner.note", "n"}});
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(echo_.count(), 42);
  EXPECT_EQ(echo_.big(), -9000000000);
  EXPECT_EQ(echo_.small(), 7u);
  EXPECT_TRUE(echo_.flag());
  EXPECT_DOUBLE_EQ(echo_.ratio(), 0.25);
  EXPECT_EQ(echo_.color(), testdata::ECHO_COLOR_DARK_BLUE);
  EXPECT_EQ(echo_.tags_size(), 2);
  EXPECT_EQ(echo_.inner().note(), "n");
}

TEST_F(RequestBinderTest, EnumSpellings) {
  for (const char* v : {"ECHO_COLOR_DARK_BLUE", "DarkBlue", "darkblue", "1"}) {
    echo_.Clear();
    ASSERT_TRUE(Bind({{"color", v}}).ok()) << v;
    EXPECT_EQ(echo_.color(), testdata::ECHO_COLOR_DARK_BLUE) << v;
  }
  absl::Status s = Bind({{"color", "Purple"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RequestBinderTest, BadValuesNameTheField) {
  absl::Status s = Bind({{"count", "abc"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().substr(0, 7), "count: ");
  EXPECT_EQ(Bind({{"count", "99999999999"}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({{"small", "-1"}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({{"flag", "maybe"}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({{"id", std::string("\xff\xfe", 2)}}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RequestBinderTest, PathWinsOverQueryAndBody) {
  bindings_ = {{"id", "from-path"}};
  absl::Status s = Bind({{"id", "from-query"}}, R"({"id":"from-body","count":3})", "*");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(echo_.id(), "from-path");
  EXPECT_EQ(echo_.count(), 3);
}

TEST_F(RequestBinderTest, JsonBodyByDescriptors) {
  absl::Status s = Bind({}, R"({
      "Count": 5, "big": "123456789012", "flag": true, "ratio": 1.5, "color": "DarkBlue",
      "tags": ["x", "y"], "inner": {"note": "hi", "big": 7}, "labels": {"k": "v"},
      "account_id": "acme", "items": [{"note": "a"}, {"note": "b"}], "unknown": {"x": [1]},
      "id": null})",
                        "*");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(echo_.count(), 5);
  EXPECT_EQ(echo_.big(), 123456789012);
  EXPECT_TRUE(echo_.flag());
  EXPECT_EQ(echo_.color(), testdata::ECHO_COLOR_DARK_BLUE);
  EXPECT_EQ(echo_.tags(1), "y");
  EXPECT_EQ(echo_.inner().big(), 7);
  EXPECT_EQ(echo_.labels().at("k"), "v");
  EXPECT_EQ(echo_.account_id(), "acme");
  EXPECT_EQ(echo_.items(1).note(), "b");
}

TEST_F(RequestBinderTest, JsonBodyIntoOneField) {
  absl::Status s = Bind({}, R"({"note":"only inner"})", "inner");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(echo_.inner().note(), "only inner");
}

TEST_F(RequestBinderTest, JsonBodyErrors) {
  absl::Status s = Bind({}, R"({"count": )", "*");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("offset"), absl::string_view::npos) << s;
  EXPECT_EQ(Bind({}, "[1,2]", "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({}, R"({"count":"x"})", "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({}, R"({"count":1.5})", "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({}, R"({"id":5})", "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({}, R"({"tags":"x"})", "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Bind({}, R"({"a":1} trailing)", "*").code(), absl::StatusCode::kInvalidArgument);
  std::string deep(100000, '[');
  EXPECT_EQ(Bind({}, deep, "*").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Bind({}, R"({"inner":{"note":1}})", "*").message().find("note") == 0);
  EXPECT_TRUE(Bind({}, "  ", "*").ok());
}

}  // namespace
}  // namespace sessions::gateway
