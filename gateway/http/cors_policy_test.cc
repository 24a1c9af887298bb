#include "gateway/http/cors_policy.h"

#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

namespace http = boost::beast::http;

TEST(CorsPolicyTest, EchoesAllowedOriginOnly) {
  CorsPolicy cors({"https://portal.example.com"});
  HttpResponse allowed;
  cors.Apply("https://PORTAL.example.com", &allowed);
  EXPECT_EQ(allowed[http::field::access_control_allow_origin], "https://PORTAL.example.com");
  EXPECT_EQ(allowed[http::field::access_control_allow_credentials], "true");
  EXPECT_EQ(allowed[http::field::vary], "Origin");

  HttpResponse other;
  cors.Apply("https://evil.example.com", &other);
  EXPECT_EQ(other.count(http::field::access_control_allow_origin), 0u);
  EXPECT_EQ(other.count(http::field::access_control_allow_credentials), 0u);
}

TEST(CorsPolicyTest, Preflight) {
  CorsPolicy cors({"https://portal.example.com"});
  HttpRequest request(http::verb::options, "/portal/active-sessions", 11);
  EXPECT_FALSE(CorsPolicy::IsPreflight(request));
  request.set(http::field::access_control_request_method, "GET");
  EXPECT_TRUE(CorsPolicy::IsPreflight(request));

  HttpResponse ok;
  cors.Preflight("https://portal.example.com", "GET, OPTIONS", &ok);
  EXPECT_EQ(ok.result(), http::status::no_content);
  EXPECT_EQ(ok[http::field::access_control_allow_methods], "GET, OPTIONS");
  EXPECT_NE(ok[http::field::access_control_allow_headers].find("Authorization"),
            boost::beast::string_view::npos);
  EXPECT_EQ(ok[http::field::access_control_max_age], "600");

  HttpResponse refused;
  cors.Preflight("https://evil.example.com", "GET", &refused);
  EXPECT_EQ(refused.count(http::field::access_control_allow_origin), 0u);
  EXPECT_EQ(refused.count(http::field::access_control_allow_methods), 0u);
}

TEST(CorsPolicyTest, DisabledWithoutOrigins) {
  CorsPolicy cors({});
  HttpResponse response;
  cors.Apply("https://portal.example.com", &response);
  EXPECT_EQ(response.count(http::field::vary), 0u);
}

}  // namespace
}  // namespace sessions::gateway
