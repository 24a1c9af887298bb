// GetActiveSessions through a real gRPC channel against a whole in-process
// Server on 127.0.0.1:0 with the demo data: every filter, paging, tenant
// rules, invalid arguments, health.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "common/iso_time.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "service/auth/authorization.h"
#include "storage/sample/demo_data.h"
#include "tests/test_server.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

namespace sessions::testing {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::PortalService;

// The expected answer, computed straight from the demo data.
std::vector<std::string> ExpectedIds(const std::string& account, const std::string& customer = "",
                                     absl::Time start = absl::InfinitePast()) {
  std::vector<SessionInfo> matching;
  for (const SessionInfo& s : DemoSessions()) {
    if (s.ended() || s.account_id() != account) continue;
    if (!customer.empty() && !auth::InCustomerSubtree(s, customer)) continue;
    if (*ParseIsoTime(s.date_created()) < start) continue;
    matching.push_back(s);
  }
  std::sort(matching.begin(), matching.end(), [](const SessionInfo& a, const SessionInfo& b) {
    auto ta = *ParseIsoTime(a.date_created()), tb = *ParseIsoTime(b.date_created());
    return ta != tb ? ta < tb : a.id() < b.id();
  });
  std::vector<std::string> ids;
  for (const auto& s : matching) ids.push_back(s.id());
  return ids;
}

std::vector<std::string> Ids(const GetActiveSessionsResponse& response) {
  std::vector<std::string> ids;
  for (const auto& s : response.sessions()) ids.push_back(s.id());
  return ids;
}

class PortalIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.storage.demo_data = true;
    auto started = TestServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    stub_ = PortalService::NewStub(server_->NewChannel());
    reader_ = server_->IssueToken("acct-demo-1", kRead);
  }

  grpc::Status Call(const std::string& token, const GetActiveSessionsRequest& request,
                    GetActiveSessionsResponse* response) {
    grpc::ClientContext context;
    Authorize(&context, token);
    return stub_->GetActiveSessions(&context, request, response);
  }

  // A mid-level customer of the demo data: it has a parent and a child.
  std::string ParentCustomer() {
    for (const SessionInfo& s : DemoSessions()) {
      if (s.account_id() == "acct-demo-1" && !s.ended() && s.customer_breadcrumb_size() >= 2) {
        return s.customer_breadcrumb(1).id();
      }
    }
    return "";
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<PortalService::Stub> stub_;
  std::string reader_;
};

TEST_F(PortalIntegrationTest, ReturnsActiveSessionsOfCallersAccountInOrder) {
  GetActiveSessionsResponse response;
  ASSERT_TRUE(Call(reader_, {}, &response).ok());
  const std::vector<std::string> expected = ExpectedIds("acct-demo-1");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(Ids(response), expected);
  for (const auto& s : response.sessions()) {
    EXPECT_FALSE(s.ended());
    EXPECT_EQ(s.account_id(), "acct-demo-1");
  }
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST_F(PortalIntegrationTest, SessionsCarryEverySeedField) {
  GetActiveSessionsResponse response;
  ASSERT_TRUE(Call(reader_, {}, &response).ok());
  std::map<std::string, SessionInfo> demo;
  for (const SessionInfo& s : DemoSessions()) demo[s.account_id() + "/" + s.id()] = s;
  for (const SessionInfo& s : response.sessions()) {
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(s, demo[s.account_id() + "/" + s.id()]))
        << "session " << s.id() << " changed on its way through the store";
  }
}

TEST_F(PortalIntegrationTest, FiltersByCustomerSubtree) {
  const std::string parent = ParentCustomer();
  ASSERT_FALSE(parent.empty());
  GetActiveSessionsRequest request;
  request.set_customer_id(parent);
  GetActiveSessionsResponse response;
  ASSERT_TRUE(Call(reader_, request, &response).ok());
  EXPECT_EQ(Ids(response), ExpectedIds("acct-demo-1", parent));
  EXPECT_LT(response.sessions_size(), ExpectedIds("acct-demo-1").size());
}

TEST_F(PortalIntegrationTest, FiltersByStartDate) {
  const std::vector<std::string> all = ExpectedIds("acct-demo-1");
  ASSERT_GE(all.size(), 3u);
  // Start at the third session's creation time: the first two drop out.
  std::string third_created;
  for (const SessionInfo& s : DemoSessions()) {
    if (s.account_id() == "acct-demo-1" && s.id() == all[2]) third_created = s.date_created();
  }
  GetActiveSessionsRequest request;
  request.set_start_date(third_created);
  GetActiveSessionsResponse response;
  ASSERT_TRUE(Call(reader_, request, &response).ok());
  EXPECT_EQ(Ids(response), ExpectedIds("acct-demo-1", "", *ParseIsoTime(third_created)));
  // A date-only start far in the future keeps nothing.
  request.set_start_date("2999-01-01");
  ASSERT_TRUE(Call(reader_, request, &response).ok());
  EXPECT_EQ(response.sessions_size(), 0);
}

TEST_F(PortalIntegrationTest, RejectsInvalidStartDateNamingTheField) {
  for (const char* bad : {"yesterday", "2026-13-45", "25/11/2026", "2026-11-25T25:00:00Z"}) {
    GetActiveSessionsRequest request;
    request.set_start_date(bad);
    GetActiveSessionsResponse response;
    grpc::Status status = Call(reader_, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_NE(status.error_message().find("start_date"), std::string::npos) << bad;
  }
}

TEST_F(PortalIntegrationTest, PagesWithKeysetTokens) {
  const std::vector<std::string> all = ExpectedIds("acct-demo-1");
  GetActiveSessionsRequest request;
  request.set_page_size(5);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 100; ++pages) {
    GetActiveSessionsResponse response;
    ASSERT_TRUE(Call(reader_, request, &response).ok());
    EXPECT_LE(response.sessions_size(), 5);
    for (const auto& id : Ids(response)) seen.push_back(id);
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(seen, all);
  request.set_page_token("garbage");
  GetActiveSessionsResponse response;
  grpc::Status status = Call(reader_, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_token"), std::string::npos);
}

TEST_F(PortalIntegrationTest, OtherAccountNeedsAdmin) {
  GetActiveSessionsRequest request;
  request.set_account_id("acct-demo-2");
  GetActiveSessionsResponse response;
  grpc::Status status = Call(reader_, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(response.sessions_size(), 0);

  const std::string admin = server_->IssueToken("acct-ops", kAdmin);
  ASSERT_TRUE(Call(admin, request, &response).ok());
  EXPECT_EQ(Ids(response), ExpectedIds("acct-demo-2"));
}

TEST_F(PortalIntegrationTest, HealthIsServingAndReadsWriteNothing) {
  auto health = grpc::health::v1::Health::NewStub(server_->NewChannel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace sessions::testing
