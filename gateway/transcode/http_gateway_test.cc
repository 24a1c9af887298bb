// End-to-end tests of the HTTP gateway over real TCP sockets: routing from
// annotations, the ServiceStack dialect, negotiation, errors, CORS, gzip,
// operational endpoints. See gateway_test_fixture.h for the handlers.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/testing/gateway_test_fixture.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace sessions::gateway {
namespace {

namespace http = boost::beast::http;

TEST_F(HttpGatewayTest, PortalRouteServesServiceStackJson) {
  std::optional<HttpResponse> r =
      Call("GET", "/portal/active-sessions?AccountId=acme&customerId=&start_date=2026-01-01");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(Str((*r)[http::field::content_type]), "application/json; charset=utf-8");
  EXPECT_TRUE(absl::StrContains(r->body(), R"("callState":"Ringing")")) << r->body();
  EXPECT_TRUE(absl::StartsWith(r->body(), R"({"sessions":[{)")) << r->body();
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(last_portal_request_.account_id(), "acme");
  EXPECT_EQ(last_portal_request_.customer_id(), "");
  EXPECT_EQ(last_portal_request_.start_date(), "2026-01-01");
}

TEST_F(HttpGatewayTest, ServiceStackPredefinedRoutes) {
  for (const char* path : {"/json/reply/AppGetActiveSessions", "/api/AppGetActiveSessions"}) {
    std::optional<HttpResponse> get = Call("GET", std::string(path) + "?accountId=acme");
    ASSERT_TRUE(get.has_value()) << path;
    EXPECT_EQ(get->result_int(), 200) << path;
    std::map<std::string, std::string> headers = kAuth;
    headers["Content-Type"] = "application/json";
    std::optional<HttpResponse> post =
        Call("POST", path, headers, R"({"AccountId":"acme2","StartDate":"2026-02-02"})");
    ASSERT_TRUE(post.has_value()) << path;
    EXPECT_EQ(post->result_int(), 200) << path << post->body();
    EXPECT_EQ(post->body(), get->body());
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(last_portal_request_.account_id(), "acme2");
    EXPECT_EQ(last_portal_request_.start_date(), "2026-02-02");
  }
}

TEST_F(HttpGatewayTest, AsyncCompletionOnAnotherThread) {
  std::optional<HttpResponse> r = Call("GET", "/portal/active-sessions?accountId=async");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_TRUE(absl::StrContains(r->body(), R"("id":"s2")"));
}

TEST_F(HttpGatewayTest, NegotiationMatrix) {
  struct Case {
    std::string target;
    std::string accept;
    bool jsv;
  };
  const Case cases[] = {
      {"/portal/active-sessions", "", false},
      {"/portal/active-sessions", "*/*", false},
      {"/portal/active-sessions", "text/jsv", true},
      {"/portal/active-sessions", "text/html", false},
      {"/portal/active-sessions?format=jsv", "application/json", true},
      {"/portal/active-sessions?format=json", "text/jsv", false},
      {"/portal/active-sessions?format=yaml", "text/jsv", true},
      {"/portal/active-sessions.jsv", "application/json", true},
      {"/portal/active-sessions.jsv?format=json", "", true},
      {"/portal/active-sessions.json?format=jsv", "text/jsv", false},
      {"/api/AppGetActiveSessions.jsv", "", true},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> headers = kAuth;
    if (!c.accept.empty()) headers["Accept"] = c.accept;
    std::optional<HttpResponse> r = Call("GET", c.target, headers);
    ASSERT_TRUE(r.has_value()) << c.target;
    EXPECT_EQ(r->result_int(), 200) << c.target;
    EXPECT_EQ(Str((*r)[http::field::content_type]),
              c.jsv ? "text/jsv" : "application/json; charset=utf-8")
        << c.target << " " << c.accept;
    EXPECT_EQ(absl::StartsWith(r->body(), "{sessions:["), c.jsv) << r->body();
  }
}

TEST_F(HttpGatewayTest, ValidationErrorNamesField) {
  for (const char* format : {"json", "jsv"}) {
    std::optional<HttpResponse> r =
        Call("GET", std::string("/portal/active-sessions?startDate=bad&format=") + format);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 400);
    if (std::string(format) == "json") {
      rapidjson::Document doc;
      doc.Parse(r->body().c_str());
      ASSERT_TRUE(doc.IsObject()) << r->body();
      const auto& status = doc["responseStatus"];
      EXPECT_STREQ(status["errorCode"].GetString(), "InvalidArgument");
      EXPECT_STREQ(status["errors"][0]["fieldName"].GetString(), "StartDate");
    } else {
      EXPECT_TRUE(absl::StrContains(r->body(), "fieldName:StartDate")) << r->body();
    }
  }
  std::optional<HttpResponse> bad_int = Call("GET", "/v1/echo/x?count=abc");
  ASSERT_TRUE(bad_int.has_value());
  EXPECT_EQ(bad_int->result_int(), 400);
  EXPECT_TRUE(absl::StrContains(bad_int->body(), R"("fieldName":"Count")")) << bad_int->body();
}

TEST_F(HttpGatewayTest, ErrorMatrix) {
  struct Row {
    int code;
    int http;
    const char* error_code;
  };
  const Row rows[] = {{1, 499, "Cancelled"},
                      {2, 500, "InternalServerError"},
                      {3, 400, "InvalidArgument"},
                      {4, 504, "DeadlineExceeded"},
                      {5, 404, "NotFound"},
                      {6, 409, "AlreadyExists"},
                      {7, 403, "Forbidden"},
                      {8, 429, "ResourceExhausted"},
                      {9, 400, "FailedPrecondition"},
                      {10, 409, "Aborted"},
                      {11, 400, "OutOfRange"},
                      {12, 501, "NotImplemented"},
                      {13, 500, "InternalServerError"},
                      {14, 503, "ServiceUnavailable"},
                      {15, 500, "InternalServerError"},
                      {16, 401, "Unauthorized"}};
  for (const Row& row : rows) {
    std::optional<HttpResponse> r =
        Call("GET", "/v1/fail?code=" + std::to_string(row.code) + "&message=SELECT%20secret");
    ASSERT_TRUE(r.has_value()) << row.code;
    EXPECT_EQ(r->result_int(), row.http) << row.code;
    EXPECT_EQ(Str((*r)[http::field::content_type]), "application/json; charset=utf-8");
    rapidjson::Document doc;
    doc.Parse(r->body().c_str());
    ASSERT_TRUE(doc.IsObject() && doc.HasMember("responseStatus")) << r->body();
    EXPECT_STREQ(doc["responseStatus"]["errorCode"].GetString(), row.error_code) << row.code;
    EXPECT_EQ(r->count(http::field::www_authenticate), row.http == 401 ? 1u : 0u);
    if (row.http >= 500 && row.http != 501) {
      EXPECT_FALSE(absl::StrContains(r->body(), "SELECT")) << r->body();
    }
  }
  std::optional<HttpResponse> ok = Call("GET", "/v1/fail?code=0");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->result_int(), 200);
  EXPECT_EQ(ok->body(), "{}");
}

TEST_F(HttpGatewayTest, UnauthenticatedGets401WithChallenge) {
  for (const char* target : {"/portal/active-sessions", "/api/AppGetActiveSessions", "/v1/echo/x",
                             "/v1/fail", "/v1/big/5"}) {
    std::optional<HttpResponse> r = Call(absl::StartsWith(target, "/v1/big") ? "DELETE" : "GET",
                                         target, {{"Authorization", "Bearer bad"}});
    ASSERT_TRUE(r.has_value()) << target;
    EXPECT_EQ(r->result_int(), 401) << target;
    EXPECT_EQ(Str((*r)[http::field::www_authenticate]), "Bearer");
    EXPECT_TRUE(absl::StrContains(r->body(), R"("errorCode":"Unauthorized")")) << r->body();
  }
}

TEST_F(HttpGatewayTest, AnnotatedTestServiceNeedsNoGatewayCode) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Grpc-Metadata-Trace"] = "t-1";
  std::optional<HttpResponse> get =
      Call("GET", "/v1/echo/a%20b?count=3&Tags=x&tags=y&color=DarkBlue&inner.note=n", headers);
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->result_int(), 200) << get->body();
  EXPECT_EQ(get->body(),
            R"({"echoed":{"id":"a b","count":3,"big":0,"small":0,"flag":false,"ratio":0,)"
            R"("color":"DarkBlue","tags":["x","y"],"inner":{"note":"n","big":0},"labels":{},)"
            R"("items":[]},"authorization":"Bearer good","trace":"t-1"})");

  std::optional<HttpResponse> post =
      Call("POST", "/v1/echo/p1:echo", kAuth, R"({"id":"ignored","big":"12","flag":true})");
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->result_int(), 200) << post->body();
  EXPECT_TRUE(
      absl::StrContains(post->body(), R"("id":"p1","count":0,"big":12,"small":0,"flag":true)"))
      << post->body();

  std::optional<HttpResponse> put = Call("PUT", "/v1/echo/p2/inner", kAuth, R"({"note":"in"})");
  ASSERT_TRUE(put.has_value());
  EXPECT_TRUE(absl::StrContains(put->body(), R"("inner":{"note":"in","big":0})")) << put->body();

  std::optional<HttpResponse> bad_json = Call("POST", "/v1/echo/p1:echo", kAuth, "{\"id\":");
  ASSERT_TRUE(bad_json.has_value());
  EXPECT_EQ(bad_json->result_int(), 400);
  EXPECT_TRUE(absl::StrContains(bad_json->body(), "offset")) << bad_json->body();
}

TEST_F(HttpGatewayTest, UnknownRouteIs404AndWrongMethodIs405) {
  std::optional<HttpResponse> missing = Call("GET", "/nope/nothing");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->result_int(), 404);
  EXPECT_EQ(missing->body(),
            R"({"responseStatus":{"errorCode":"NotFound","message":"no route for this path"}})");

  std::optional<HttpResponse> wrong = Call("DELETE", "/portal/active-sessions");
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->result_int(), 405);
  EXPECT_EQ(Str((*wrong)[http::field::allow]), "GET, OPTIONS");
  EXPECT_TRUE(absl::StrContains(wrong->body(), "MethodNotAllowed"));

  std::optional<HttpResponse> api = Call("PUT", "/api/AppGetActiveSessions");
  ASSERT_TRUE(api.has_value());
  EXPECT_EQ(api->result_int(), 405);
  EXPECT_EQ(Str((*api)[http::field::allow]), "GET, POST, OPTIONS");
}

TEST_F(HttpGatewayTest, CorsActualAndPreflight) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Origin"] = "https://portal.example.com";
  std::optional<HttpResponse> r = Call("GET", "/portal/active-sessions", headers);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Str((*r)[http::field::access_control_allow_origin]), "https://portal.example.com");
  EXPECT_EQ(Str((*r)[http::field::access_control_allow_credentials]), "true");
  EXPECT_TRUE(absl::StrContains(Str((*r)[http::field::vary]), "Origin"));

  headers["Origin"] = "https://evil.example.com";
  r = Call("GET", "/portal/active-sessions", headers);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->count(http::field::access_control_allow_origin), 0u);

  std::map<std::string, std::string> preflight = {
      {"Origin", "https://portal.example.com"},
      {"Access-Control-Request-Method", "GET"},
      {"Access-Control-Request-Headers", "authorization, content-type"}};
  r = Call("OPTIONS", "/api/AppGetActiveSessions", preflight);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(Str((*r)[http::field::access_control_allow_origin]), "https://portal.example.com");
  EXPECT_EQ(Str((*r)[http::field::access_control_allow_methods]), "GET, POST, OPTIONS");
  EXPECT_TRUE(
      absl::StrContains(Str((*r)[http::field::access_control_allow_headers]), "Authorization"));
  EXPECT_FALSE((*r)[http::field::access_control_max_age].empty());

  preflight["Origin"] = "https://evil.example.com";
  r = Call("OPTIONS", "/api/AppGetActiveSessions", preflight);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(r->count(http::field::access_control_allow_origin), 0u);
  EXPECT_EQ(r->count(http::field::access_control_allow_methods), 0u);
}

TEST_F(HttpGatewayTest, GzipLargeBodies) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Accept-Encoding"] = "gzip, deflate";
  std::optional<HttpResponse> plain = Call("DELETE", "/v1/big/20000");
  std::optional<HttpResponse> gz = Call("DELETE", "/v1/big/20000", headers);
  ASSERT_TRUE(plain.has_value() && gz.has_value());
  EXPECT_EQ(plain->count(http::field::content_encoding), 0u);
  EXPECT_EQ(Str((*gz)[http::field::content_encoding]), "gzip");
  EXPECT_TRUE(absl::StrContains(Str((*gz)[http::field::vary]), "Accept-Encoding"));
  EXPECT_LT(gz->body().size(), plain->body().size() / 10);
  EXPECT_EQ(Gunzip(gz->body()), plain->body());

  std::optional<HttpResponse> small = Call("DELETE", "/v1/big/10", headers);
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->count(http::field::content_encoding), 0u);
}

TEST_F(HttpGatewayTest, HealthReadyMetrics) {
  std::optional<HttpResponse> health = Call("GET", "/healthz", {});
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->result_int(), 200);
  EXPECT_EQ(health->body(), "ok\n");
  std::optional<HttpResponse> ready = Call("GET", "/readyz", {});
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->result_int(), 200);
  ready_ = false;
  ready = Call("GET", "/readyz", {});
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->result_int(), 503);
  ASSERT_TRUE(Call("GET", "/portal/active-sessions").has_value());
  std::optional<HttpResponse> metrics = Call("GET", "/metrics", {});
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->result_int(), 200);
  EXPECT_TRUE(
      absl::StartsWith(Str((*metrics)[http::field::content_type]), "text/plain; version=0.0.4"));
  EXPECT_TRUE(absl::StrContains(metrics->body(), "/portal/active-sessions")) << metrics->body();
}

TEST_F(HttpGatewayTest, BadTargetsAndValues) {
  for (const char* target : {"/portal/active-sessions?accountId=%zz", "/portal/%zz",
                             "/portal/active-sessions?accountId=%ff%fe"}) {
    std::optional<HttpResponse> r = Call("GET", target);
    ASSERT_TRUE(r.has_value()) << target;
    EXPECT_EQ(r->result_int(), 400) << target << " " << r->body();
    EXPECT_TRUE(absl::StrContains(r->body(), "responseStatus")) << r->body();
  }
}

TEST_F(HttpGatewayTest, OpenApiDocumentNeedsNoToken) {
  std::optional<HttpResponse> doc = Call("GET", "/openapi.json", {});
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->result_int(), 200);
  EXPECT_EQ(Str((*doc)[http::field::content_type]), "application/json; charset=utf-8");
  rapidjson::Document parsed;
  parsed.Parse(doc->body().c_str());
  ASSERT_FALSE(parsed.HasParseError());
  EXPECT_TRUE(parsed["paths"].HasMember("/v1/echo/{id}"));
}

TEST_F(HttpGatewayTest, StaticAssetsWithTheirPolicyAndADirectoryRedirect) {
  HttpGatewayOptions options;
  options.static_assets = {{"/ui/", "text/html; charset=utf-8", "<p>page</p>"},
                           {"/ui/app.js", "text/javascript; charset=utf-8", "run();"}};
  StartGateway(options);
  std::optional<HttpResponse> page = Call("GET", "/ui/", {});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->result_int(), 200);
  EXPECT_EQ(page->body(), "<p>page</p>");
  EXPECT_EQ(Str((*page)[http::field::content_type]), "text/html; charset=utf-8");
  const std::string csp = Str((*page)["Content-Security-Policy"]);
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(Str((*page)["X-Content-Type-Options"]), "nosniff");
  std::optional<HttpResponse> script = Call("GET", "/ui/app.js?v=1", {});
  ASSERT_TRUE(script.has_value());
  EXPECT_EQ(script->body(), "run();");

  std::optional<HttpResponse> bare = Call("GET", "/ui", {});
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->result_int(), 308);
  EXPECT_EQ(Str((*bare)[http::field::location]), "/ui/");
  std::optional<HttpResponse> post = Call("POST", "/ui/", {});
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->result_int(), 405);
  EXPECT_EQ(Str((*post)[http::field::allow]), "GET, HEAD");
  std::optional<HttpResponse> missing = Call("GET", "/ui/missing.js", {});
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->result_int(), 404);
  // The API routes are unchanged next to them.
  std::optional<HttpResponse> api = Call("GET", "/portal/active-sessions");
  ASSERT_TRUE(api.has_value());
  EXPECT_EQ(api->result_int(), 200);
}

TEST_F(HttpGatewayTest, AutoBatchedRequestsAnswerInOrder) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Content-Type"] = "application/json";
  std::optional<HttpResponse> single = Call("GET", "/api/AppGetActiveSessions");
  ASSERT_TRUE(single.has_value());
  // ServiceStack clients send the brackets raw; a percent-encoded pair too.
  // The "async" account completes on another thread.
  for (const char* path : {"/api/AppGetActiveSessions[]", "/json/reply/AppGetActiveSessions[]",
                           "/api/AppGetActiveSessions%5B%5D"}) {
    std::optional<HttpResponse> r =
        Call("POST", path, headers, R"([{"accountId":"a1"},{"AccountId":"async"},{}])");
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->result_int(), 200) << path << r->body();
    EXPECT_EQ(Str((*r)["X-AutoBatch-Completed"]), "3");
    EXPECT_EQ(r->body(),
              absl::StrCat("[", single->body(), ",", single->body(), ",", single->body(), "]"));
  }
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(last_portal_request_.account_id(), "");  // the last one ran last
}

TEST_F(HttpGatewayTest, AutoBatchStopsAtTheFirstFailure) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Content-Type"] = "application/json";
  std::optional<HttpResponse> r =
      Call("POST", "/api/AppGetActiveSessions[]", headers,
           R"([{"accountId":"a1"},{"startDate":"bad"},{"accountId":"never"}])");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_EQ(Str((*r)["X-AutoBatch-Completed"]), "1");
  rapidjson::Document body;
  body.Parse(r->body().c_str());
  ASSERT_TRUE(body.IsObject()) << r->body();
  EXPECT_STREQ(body["responseStatus"]["errors"][0]["fieldName"].GetString(), "StartDate");
  EXPECT_STREQ(body["responseStatus"]["meta"]["AutoBatchIndex"].GetString(), "1");
  {
    absl::MutexLock lock(&mu_);
    EXPECT_EQ(last_portal_request_.start_date(), "bad");  // "never" did not run
  }
  // A binding error names its request too.
  r = Call("POST", "/api/AppGetActiveSessions[]", headers, R"([{}, {"pageSize":"many"}])");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_TRUE(absl::StrContains(r->body(), R"("meta":{"AutoBatchIndex":"1"})")) << r->body();
  // Each request is authenticated on its own: without a token none runs.
  r = Call("POST", "/api/AppGetActiveSessions[]", {{"Content-Type", "application/json"}}, "[{}]");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 401);
  EXPECT_EQ(Str((*r)["X-AutoBatch-Completed"]), "0");
}

TEST_F(HttpGatewayTest, AutoBatchBounds) {
  std::map<std::string, std::string> headers = kAuth;
  headers["Content-Type"] = "application/json";
  std::string many = "[";
  for (int i = 0; i < 101; ++i) absl::StrAppend(&many, i > 0 ? "," : "", "{}");
  many += "]";
  struct Case {
    const char* method;
    const char* path;
    std::string body;
    int status;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"POST", "/api/AppGetActiveSessions[]", many, 400, "at most 100 requests"},
           {"POST", "/api/AppGetActiveSessions[]", R"({"accountId":"a1"})", 400, "JSON array"},
           {"POST", "/api/AppGetActiveSessions[]", "[1]", 400,
            "request[0]: expected a JSON object"},
           {"POST", "/api/AppGetActiveSessions[]", "[{", 400, "invalid JSON"},
           {"GET", "/portal/active-sessions[]", "", 404, "no batch"},
           {"POST", "/v1/echo/x:echo[]", "[{}]", 404, "no batch"},
       }) {
    std::optional<HttpResponse> r = Call(c.method, c.path, headers, c.body);
    ASSERT_TRUE(r.has_value()) << c.path;
    EXPECT_EQ(r->result_int(), c.status) << c.path << " " << r->body();
    EXPECT_TRUE(absl::StrContains(r->body(), c.says)) << c.path << " " << r->body();
  }
}

TEST_F(HttpGatewayTest, BasicAuthorizationCarriesTheTokenAsUserName) {
  // base64("good:") and base64("good:anything"): ServiceStack API-key clients.
  for (const char* credentials : {"Z29vZDo=", "Z29vZDphbnl0aGluZw=="}) {
    std::optional<HttpResponse> r = Call("GET", "/portal/active-sessions",
                                         {{"Authorization", std::string("Basic ") + credentials}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 200) << credentials;
  }
  // base64("bad:"), not base64, and no user name: refused like a bad token.
  for (const char* value : {"Basic YmFkOg==", "Basic !!!", "Basic OnBhc3M=", "Basic "}) {
    std::optional<HttpResponse> r =
        Call("GET", "/portal/active-sessions", {{"Authorization", value}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 401) << value;
  }
}

TEST_F(HttpGatewayTest, JsonpWrapsJsonAnswersOfStrictlyNamedCallbacks) {
  std::optional<HttpResponse> plain = Call("GET", "/portal/active-sessions");
  ASSERT_TRUE(plain.has_value());
  std::optional<HttpResponse> r = Call("GET", "/portal/active-sessions?callback=app.on_sessions$1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(Str((*r)[http::field::content_type]), "application/javascript; charset=utf-8");
  EXPECT_EQ(r->body(), "app.on_sessions$1(" + plain->body() + ")");
  // Errors are wrapped too, so the page's callback sees them.
  r = Call("GET", "/portal/active-sessions?callback=cb&startDate=bad");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_TRUE(absl::StartsWith(r->body(), R"(cb({"responseStatus":)")) << r->body();
  // Anything but a name is refused before the method runs.
  for (const char* bad : {"alert(1)//", "a%20b", "x;y", "%3Cscript%3E"}) {
    r = Call("GET", std::string("/portal/active-sessions?callback=") + bad);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->result_int(), 400) << bad;
    EXPECT_TRUE(absl::StrContains(r->body(), R"("fieldName":"Callback")")) << r->body();
    EXPECT_EQ(Str((*r)[http::field::content_type]), "application/json; charset=utf-8");
  }
  // An empty name is no callback (ServiceStack's rule for empty parameters);
  // JSV answers are never wrapped.
  r = Call("GET", "/portal/active-sessions?callback=");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body(), plain->body());
  r = Call("GET", "/portal/active-sessions.jsv?callback=cb");
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(absl::StartsWith(r->body(), "cb(")) << r->body();
}

TEST_F(HttpGatewayTest, TypeScriptReferenceNamesTheServerAsReached) {
  std::optional<HttpResponse> r =
      Call("GET", "/types/typescript", {{"Host", "sessions.example.com:8080"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(Str((*r)[http::field::content_type]), "text/plain; charset=utf-8");
  EXPECT_TRUE(absl::StrContains(r->body(), "\nBaseUrl: http://sessions.example.com:8080\n"));
  EXPECT_TRUE(absl::StrContains(
      r->body(),
      "export class AppGetActiveSessions implements IReturn<AppGetActiveSessionsResult>"));
  r = Call("GET", "/types/typescript",
           {{"Host", "sessions.example.com"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(absl::StrContains(r->body(), "\nBaseUrl: https://sessions.example.com\n"));
  // A Host that is not host[:port] is not echoed into the file.
  r = Call("GET", "/types/typescript", {{"Host", "a/b?<x>"}});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(absl::StrContains(r->body(), "\nBaseUrl: http://localhost\n")) << r->body();
  r = Call("POST", "/types/typescript", {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->result_int(), 405);
}

}  // namespace
}  // namespace sessions::gateway
