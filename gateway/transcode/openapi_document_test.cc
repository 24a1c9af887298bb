#include "gateway/transcode/openapi_document.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "gateway/codec/field_plan.h"
#include "gateway/testing/fake_authenticator.h"
#include "gateway/testing/testdata/echo_test.pb.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/pointer.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::gateway {
namespace {

namespace portal = voice::api::app::portal::v1;
using testdata::EchoRequest;
using testdata::EchoResponse;

// The document of the test-only EchoTestService (additional bindings, a
// body field, path variables) plus the portal's list and watch methods,
// routed exactly as the gateway routes them.
class OpenApiDocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ok = [](const CallContext&, const auto&, auto*) { return absl::OkStatus(); };
    const auto* echo = EchoRequest::descriptor()->file()->FindServiceByName("EchoTestService");
    table_.Register<EchoRequest, EchoResponse>(echo->FindMethodByName("Echo"), Scope::kSessionsRead,
                                               ok);
    table_.Register<testdata::BigRequest, testdata::BigResponse>(echo->FindMethodByName("Big"),
                                                                 Scope::kSessionsWrite, ok);
    const auto* service =
        portal::GetActiveSessionsRequest::descriptor()->file()->FindServiceByName("PortalService");
    table_.Register<portal::GetActiveSessionsRequest, portal::GetActiveSessionsResponse>(
        service->FindMethodByName("GetActiveSessions"), Scope::kSessionsRead, ok);
    table_.RegisterStream<portal::WatchActiveSessionsRequest>(
        service->FindMethodByName("WatchActiveSessions"), Scope::kSessionsRead,
        [](const CallContext&, const auto&) -> absl::StatusOr<std::shared_ptr<EventStream>> {
          return absl::UnimplementedError("not in this test");
        });
    absl::StatusOr<std::unique_ptr<RouteTable>> routes =
        RouteTable::Build(table_, DefaultServiceStackOperations());
    ASSERT_TRUE(routes.ok()) << routes.status();
    routes_ = std::move(*routes);
    text_ = RenderOpenApiDocument(*routes_, OpenApiInfo{});
    doc_.Parse(text_.c_str(), text_.size());
    ASSERT_FALSE(doc_.HasParseError()) << text_;
  }

  // The value at JSON pointer `pointer` ("/paths/~1v1~1big~1{size}/delete"), or null.
  const rapidjson::Value* At(const std::string& pointer) const {
    return rapidjson::Pointer(pointer.c_str()).Get(doc_);
  }
  std::string StringAt(const std::string& pointer) const {
    const rapidjson::Value* v = At(pointer);
    return v != nullptr && v->IsString() ? v->GetString() : "<missing " + pointer + ">";
  }
  // The operation's parameters as "in:name".
  std::vector<std::string> ParameterNames(const std::string& operation) const {
    std::vector<std::string> names;
    const rapidjson::Value* params = At(operation + "/parameters");
    if (params == nullptr) return names;
    for (const rapidjson::Value& p : params->GetArray()) {
      names.push_back(std::string(p["in"].GetString()) + ":" + p["name"].GetString());
    }
    return names;
  }
  // Follows every "$ref" under `value`, collecting the unresolved ones.
  void CheckRefs(const rapidjson::Value& value, std::vector<std::string>* unresolved) const {
    if (value.IsObject()) {
      for (const auto& member : value.GetObject()) {
        if (std::string(member.name.GetString()) == "$ref") {
          const std::string ref = member.value.GetString();
          if (ref.rfind("#", 0) != 0 || At(ref.substr(1)) == nullptr) unresolved->push_back(ref);
        } else {
          CheckRefs(member.value, unresolved);
        }
      }
    } else if (value.IsArray()) {
      for (const rapidjson::Value& v : value.GetArray()) CheckRefs(v, unresolved);
    }
  }

  FakeAuthenticator auth_;
  MethodTable table_{&auth_, /*observer=*/nullptr};
  std::unique_ptr<RouteTable> routes_;
  std::string text_;
  rapidjson::Document doc_;
};

TEST_F(OpenApiDocumentTest, DescribesEveryRouteOfTheTable) {
  EXPECT_EQ(StringAt("/openapi"), "3.0.3");
  std::set<std::string> operation_ids;
  for (const Route& route : routes_->routes()) {
    std::string pointer = "/paths/";
    for (char c : route.path.OpenApiPath()) {
      pointer += c == '/' ? std::string("~1") : c == '~' ? std::string("~0") : std::string(1, c);
    }
    pointer += "/" + absl::AsciiStrToLower(std::string(boost::beast::http::to_string(route.verb)));
    ASSERT_NE(At(pointer), nullptr) << route.path.text() << " has no operation " << pointer;
    const std::string id = StringAt(pointer + "/operationId");
    EXPECT_TRUE(operation_ids.insert(id).second) << "operationId " << id << " twice";
  }
  EXPECT_NE(At("/paths/~1json~1reply~1AppGetActiveSessions/post"), nullptr);
  EXPECT_NE(At("/paths/~1api~1AppGetActiveSessions/get"), nullptr);
}

TEST_F(OpenApiDocumentTest, QueryParametersAreTheScalarFieldsOutsideThePath) {
  const std::string get = "/paths/~1v1~1echo~1{id}/get";
  const std::vector<std::string> names = ParameterNames(get);
  // json names; the map (labels) and message (items) fields are not
  // bindable from a query string.
  EXPECT_EQ(names, (std::vector<std::string>{"path:id", "query:count", "query:big", "query:small",
                                             "query:flag", "query:ratio", "query:color",
                                             "query:tags", "query:accountId"}));
  EXPECT_TRUE(At(get + "/parameters/0/required")->GetBool());
  EXPECT_EQ(StringAt(get + "/parameters/2/schema/format"), "int64");
  EXPECT_EQ(At(get + "/parameters/3/schema/minimum")->GetInt(), 0);
  EXPECT_EQ(StringAt(get + "/parameters/4/schema/type"), "boolean");
  EXPECT_EQ(StringAt(get + "/parameters/5/schema/type"), "number");
  EXPECT_EQ(StringAt(get + "/parameters/6/schema/$ref"), "#/components/schemas/EchoColor");
  EXPECT_EQ(StringAt(get + "/parameters/7/schema/type"), "array");
  EXPECT_EQ(At(get + "/requestBody"), nullptr);
  EXPECT_EQ(ParameterNames("/paths/~1v1~1big~1{size}/delete"),
            (std::vector<std::string>{"path:size"}));
  EXPECT_EQ(StringAt("/paths/~1v1~1big~1{size}/delete/parameters/0/schema/format"), "int32");
}

TEST_F(OpenApiDocumentTest, BodiesFollowTheBodyRule) {
  // body "*" with a path variable: the body is the request without it.
  const std::string star = "/paths/~1v1~1echo~1{id}:echo/post";
  EXPECT_EQ(ParameterNames(star), (std::vector<std::string>{"path:id"}));
  const std::string body = star + "/requestBody/content/application~1json/schema";
  EXPECT_EQ(At(body + "/properties/id"), nullptr);
  EXPECT_NE(At(body + "/properties/count"), nullptr);
  EXPECT_EQ(StringAt(body + "/properties/labels/type"), "object");
  EXPECT_EQ(StringAt(body + "/properties/labels/additionalProperties/type"), "string");
  EXPECT_EQ(StringAt(body + "/properties/items/items/$ref"), "#/components/schemas/EchoInner");
  // body "*" without path variables: the request type itself.
  EXPECT_EQ(StringAt("/paths/~1json~1reply~1AppGetActiveSessions/post/requestBody/content/"
                     "application~1json/schema/$ref"),
            "#/components/schemas/GetActiveSessionsRequest");
  // A body field: that field's type; the other fields stay query parameters.
  bool found = false;
  for (const auto& path : At("/paths")->GetObject()) {
    for (const auto& op : path.value.GetObject()) {
      const auto* ref =
          rapidjson::Pointer("/requestBody/content/application~1json/schema/$ref").Get(op.value);
      if (ref == nullptr || std::string(ref->GetString()) != "#/components/schemas/EchoInner") {
        continue;
      }
      found = true;
      std::string pointer = std::string("/paths/") + path.name.GetString();
      std::vector<std::string> names;
      for (const auto& p : op.value["parameters"].GetArray())
        names.push_back(p["name"].GetString());
      EXPECT_NE(std::find(names.begin(), names.end(), "count"), names.end());
      EXPECT_EQ(std::find(names.begin(), names.end(), "inner"), names.end());
    }
  }
  EXPECT_TRUE(found) << "no operation takes EchoInner as its body";
}

TEST_F(OpenApiDocumentTest, SchemasUseTheServiceStackJsonNames) {
  const std::string session = "/components/schemas/SessionInfo";
  ASSERT_NE(At(session), nullptr);
  const google::protobuf::Descriptor* type = voice::api::sessions::v1::SessionInfo::descriptor();
  const rapidjson::Value& properties = *At(session + "/properties");
  EXPECT_EQ(properties.MemberCount(), static_cast<unsigned>(type->field_count()));
  for (int i = 0; i < type->field_count(); ++i) {
    EXPECT_TRUE(properties.HasMember(type->field(i)->json_name().c_str()))
        << type->field(i)->json_name();
  }
  EXPECT_EQ(StringAt(session + "/title"), "voice.api.sessions.v1.SessionInfo");
  // Enums by the C# names the writer writes, in declaration order.
  const google::protobuf::EnumDescriptor* event_type = portal::WatchEventType_descriptor();
  const rapidjson::Value* values = At("/components/schemas/WatchEventType/enum");
  ASSERT_NE(values, nullptr);
  ASSERT_EQ(values->Size(), static_cast<unsigned>(event_type->value_count()));
  for (int i = 0; i < event_type->value_count(); ++i) {
    EXPECT_EQ((*values)[i].GetString(), CSharpEnumValueName(event_type->value(i)));
  }
  std::vector<std::string> unresolved;
  CheckRefs(doc_, &unresolved);
  EXPECT_TRUE(unresolved.empty()) << unresolved.front();
}

TEST_F(OpenApiDocumentTest, StreamsAreServerSentEventsResumedByLastEventId) {
  const std::string watch = "/paths/~1portal~1active-sessions~1watch/get";
  ASSERT_NE(At(watch), nullptr);
  EXPECT_NE(At(watch + "/responses/200/content/text~1event-stream"), nullptr);
  EXPECT_EQ(At(watch + "/responses/200/content/application~1json"), nullptr);
  const std::string description = StringAt(watch + "/responses/200/description");
  EXPECT_NE(description.find("synced"), std::string::npos) << description;
  EXPECT_NE(description.find("WatchActiveSessionsResponse"), std::string::npos) << description;
  const std::vector<std::string> names = ParameterNames(watch);
  EXPECT_EQ(names.back(), "header:Last-Event-ID");
  EXPECT_NE(std::find(names.begin(), names.end(), "query:startRevision"), names.end());
  // Its messages are described although no unary route returns them.
  EXPECT_NE(At("/components/schemas/WatchActiveSessionsResponse"), nullptr);
}

TEST_F(OpenApiDocumentTest, ApiRoutesNeedTheBearerTokenOperationalOnesDoNot) {
  EXPECT_EQ(StringAt("/components/securitySchemes/bearerAuth/scheme"), "bearer");
  EXPECT_TRUE(At("/security/0/bearerAuth")->IsArray());
  for (const char* path :
       {"healthz", "readyz", "metrics", "openapi.json", "types~1typescript", "types~1csharp"}) {
    const std::string op = std::string("/paths/~1") + path + "/get";
    ASSERT_NE(At(op), nullptr) << path;
    EXPECT_TRUE(At(op + "/security")->Empty()) << path;
  }
  const std::string get = "/paths/~1portal~1active-sessions/get";
  EXPECT_EQ(At(get + "/security"), nullptr);  // the document's default: bearer
  EXPECT_NE(StringAt(get + "/description").find("scope sessions:read"), std::string::npos);
  EXPECT_NE(StringAt("/paths/~1v1~1big~1{size}/delete/description").find("sessions:write"),
            std::string::npos);
  // Errors are ResponseStatus bodies.
  EXPECT_EQ(StringAt(get + "/responses/401/$ref"), "#/components/responses/401");
  EXPECT_EQ(StringAt("/components/responses/401/content/application~1json/schema/$ref"),
            "#/components/schemas/ErrorResponse");
  EXPECT_NE(At("/components/schemas/ErrorResponse/properties/responseStatus/properties/errors"),
            nullptr);
}

TEST_F(OpenApiDocumentTest, ServiceStackRoutesTakeAutoBatchedArrays) {
  for (const char* path : {"/paths/~1api~1AppGetActiveSessions[]/post",
                           "/paths/~1json~1reply~1AppGetActiveSessions[]/post"}) {
    const std::string op = path;
    ASSERT_NE(At(op), nullptr) << path;
    EXPECT_EQ(StringAt(op + "/requestBody/content/application~1json/schema/type"), "array");
    EXPECT_EQ(StringAt(op + "/requestBody/content/application~1json/schema/items/$ref"),
              "#/components/schemas/GetActiveSessionsRequest");
    EXPECT_EQ(StringAt(op + "/responses/200/content/application~1json/schema/items/$ref"),
              "#/components/schemas/GetActiveSessionsResponse");
    EXPECT_NE(At(op + "/responses/200/headers/X-AutoBatch-Completed"), nullptr);
  }
  // Only ServiceStack's predefined routes batch.
  EXPECT_EQ(At("/paths/~1portal~1active-sessions[]"), nullptr);
  EXPECT_EQ(At("/paths/~1v1~1echo~1{id}:echo[]"), nullptr);
  EXPECT_EQ(StringAt("/components/schemas/ErrorResponse/properties/responseStatus/properties/meta/"
                     "additionalProperties/type"),
            "string");
}

TEST_F(OpenApiDocumentTest, RendersTheSameBytesEveryTime) {
  EXPECT_EQ(RenderOpenApiDocument(*routes_, OpenApiInfo{}), text_);
  EXPECT_EQ(text_.back(), '\n');
}

}  // namespace
}  // namespace sessions::gateway
