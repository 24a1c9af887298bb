#include "gateway/testing/gateway_test_fixture.h"

#include <utility>

#include "common/field_error.h"
#include "testdata/echo_test.pb.h"

namespace sessions::gateway {

using testdata::EchoRequest;
using testdata::EchoResponse;
using voice::api::app::portal::v1::GetActiveSessionsRequest;
using voice::api::app::portal::v1::GetActiveSessionsResponse;

const std::map<std::string, std::string> kAuth = {{"Authorization", "Bearer good"}};

std::string Str(boost::beast::string_view s) { return std::string(s.data(), s.size()); }

void HttpGatewayTest::SetUp() {
  RegisterHandlers();
  StartGateway(HttpGatewayOptions());
}

void HttpGatewayTest::TearDown() {
  if (gateway_ != nullptr) gateway_->Shutdown(absl::Now() + absl::Seconds(60));
  std::vector<std::thread> workers;
  {
    absl::MutexLock lock(&mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

void HttpGatewayTest::StartGateway(HttpGatewayOptions options) {
  if (gateway_ != nullptr) gateway_->Shutdown(absl::Now());
  gateway_.reset();
  options.server.address = "127.0.0.1:0";
  options.cors_allowed_origins = {"https://portal.example.com"};
  GatewayEnvironment env;
  env.method_table = &table_;
  env.metrics = &metrics_;
  env.is_ready = [this] { return ready_.load(); };
  absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = HttpGateway::Start(options, env);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  gateway_ = *std::move(gateway);
}

std::optional<HttpResponse> HttpGatewayTest::Call(const std::string& method,
                                                  const std::string& target,
                                                  std::map<std::string, std::string> headers,
                                                  const std::string& body) {
  TestHttpClient client(gateway_->port());
  EXPECT_TRUE(client.connected());
  return client.Call(method, target, headers, body);
}

void HttpGatewayTest::RegisterHandlers() {
  const google::protobuf::ServiceDescriptor* echo =
      EchoRequest::descriptor()->file()->FindServiceByName("EchoTestService");
  table_.Register<EchoRequest, EchoResponse>(
      echo->FindMethodByName("Echo"), Scope::kSessionsRead,
      [](const CallContext& ctx, const EchoRequest& req, EchoResponse* resp) {
        *resp->mutable_echoed() = req;
        resp->set_authorization(std::string(ctx.metadata->Get("authorization").value_or("")));
        resp->set_trace(std::string(ctx.metadata->Get("trace").value_or("")));
        return absl::OkStatus();
      });
  table_.Register<testdata::FailRequest, testdata::FailResponse>(
      echo->FindMethodByName("Fail"), Scope::kSessionsRead,
      [](const CallContext&, const testdata::FailRequest& req, testdata::FailResponse*) {
        return absl::Status(static_cast<absl::StatusCode>(req.code()), req.message());
      });
  table_.Register<testdata::BigRequest, testdata::BigResponse>(
      echo->FindMethodByName("Big"), Scope::kSessionsRead,
      [](const CallContext&, const testdata::BigRequest& req, testdata::BigResponse* resp) {
        std::string text;
        while (static_cast<int>(text.size()) < req.size()) text += "session ";
        resp->set_text(text);
        return absl::OkStatus();
      });
  // GetActiveSessions: fixed sessions; account "async" completes on another
  // thread; start_date "bad" fails like the real handler.
  table_.RegisterAsync<GetActiveSessionsRequest, GetActiveSessionsResponse>(
      GetActiveSessionsRequest::descriptor()
          ->file()
          ->FindServiceByName("PortalService")
          ->FindMethodByName("GetActiveSessions"),
      Scope::kSessionsRead,
      [this](const CallContext&, const GetActiveSessionsRequest& req,
             GetActiveSessionsResponse* resp, DoneCallback done) {
        {
          absl::MutexLock lock(&mu_);
          last_portal_request_ = req;
        }
        if (req.start_date() == "bad") {
          done(FieldError("start_date", "expected an ISO-8601 date or date-time"));
          return;
        }
        auto* s = resp->add_sessions();
        s->set_id("s1");
        s->set_account_id("acme");
        s->set_call_state(voice::api::sessions::v1::SESSION_CALL_STATE_RINGING);
        resp->add_sessions()->set_id("s2");
        if (req.account_id() == "async") {
          absl::MutexLock lock(&mu_);
          workers_.emplace_back([done] { done(absl::OkStatus()); });
          return;
        }
        done(absl::OkStatus());
      });
}

}  // namespace sessions::gateway
