// Tenants never see each other's data: an account's token never sees
// another account's sessions (whatever the filters), and a customer-
// restricted token never sees a sibling customer's sessions.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "service/auth/authorization.h"
#include "tests/test_server.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

namespace sessions::testing {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::PortalService;

class TenantIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.storage.demo_data = true;
    auto started = TestServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    stub_ = PortalService::NewStub(server_->NewChannel());
  }

  grpc::Status Call(const std::string& token, const std::string& account,
                    const std::string& customer, GetActiveSessionsResponse* response) {
    grpc::ClientContext context;
    Authorize(&context, token);
    GetActiveSessionsRequest request;
    request.set_account_id(account);
    request.set_customer_id(customer);
    return stub_->GetActiveSessions(&context, request, response);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<PortalService::Stub> stub_;
};

TEST_F(TenantIsolationTest, AccountNeverSeesAnotherAccountsSessions) {
  const std::string token_a = server_->IssueToken("acct-demo-1", kRead | kWrite);
  GetActiveSessionsResponse response;
  // By empty filters: only its own account.
  ASSERT_TRUE(Call(token_a, "", "", &response).ok());
  ASSERT_GT(response.sessions_size(), 0);
  for (const auto& s : response.sessions()) EXPECT_EQ(s.account_id(), "acct-demo-1");
  // By account_id of B: refused.
  response.Clear();
  EXPECT_EQ(Call(token_a, "acct-demo-2", "", &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(response.sessions_size(), 0);
  // By customer_id of B (a customer that only exists in acct-demo-2): nothing.
  response.Clear();
  ASSERT_TRUE(Call(token_a, "", "cust-globex", &response).ok());
  EXPECT_EQ(response.sessions_size(), 0);
  // The same customer from B's own token does have sessions, so the empty
  // answer above is isolation, not absence.
  const std::string token_b = server_->IssueToken("acct-demo-2", kRead);
  response.Clear();
  ASSERT_TRUE(Call(token_b, "", "cust-globex", &response).ok());
  EXPECT_GT(response.sessions_size(), 0);
  for (const auto& s : response.sessions()) EXPECT_EQ(s.account_id(), "acct-demo-2");
}

TEST_F(TenantIsolationTest, CustomerRestrictedTokenSeesOnlyItsSubtree) {
  const std::string hq = server_->IssueToken("acct-demo-1", kRead, "cust-acme-hq");
  GetActiveSessionsResponse response;
  ASSERT_TRUE(Call(hq, "", "", &response).ok());
  ASSERT_GT(response.sessions_size(), 0);
  bool saw_child = false;
  for (const auto& s : response.sessions()) {
    EXPECT_TRUE(auth::InCustomerSubtree(s, "cust-acme-hq")) << s.id() << " of " << s.customer_id();
    saw_child |= s.customer_id() == "cust-acme-support";
  }
  EXPECT_TRUE(saw_child) << "sub-customers belong to the subtree";

  // A sub-customer of its own: allowed, narrowed to it.
  response.Clear();
  ASSERT_TRUE(Call(hq, "", "cust-acme-support", &response).ok());
  ASSERT_GT(response.sessions_size(), 0);
  for (const auto& s : response.sessions())
    EXPECT_TRUE(auth::InCustomerSubtree(s, "cust-acme-support"));

  // The parent: never more than its own subtree.
  GetActiveSessionsResponse own;
  ASSERT_TRUE(Call(hq, "", "", &own).ok());
  response.Clear();
  ASSERT_TRUE(Call(hq, "", "cust-acme", &response).ok());
  auto ids = [](const GetActiveSessionsResponse& r) {
    std::vector<std::string> out;
    for (const auto& s : r.sessions()) out.push_back(s.id());
    return out;
  };
  EXPECT_EQ(ids(response), ids(own));
  EXPECT_EQ(response.revision(), own.revision());
}

// A restricted token asking for a customer outside its subtree gets exactly
// the answer it gets for a customer that does not exist, with or without
// start_date probes: it cannot tell a sibling's sessions exist, nor when
// they started (was: PERMISSION_DENIED when the sibling had active
// sessions, an empty answer otherwise).
TEST_F(TenantIsolationTest, RestrictedTokenCannotProbeOtherCustomers) {
  const std::string hq = server_->IssueToken("acct-demo-1", kRead, "cust-acme-hq");
  const std::string whole_account = server_->IssueToken("acct-demo-1", kRead);
  auto ask = [&](const std::string& token, const std::string& customer,
                 const std::string& start_date) {
    grpc::ClientContext context;
    Authorize(&context, token);
    GetActiveSessionsRequest request;
    request.set_customer_id(customer);
    request.set_start_date(start_date);
    GetActiveSessionsResponse response;
    const grpc::Status status = stub_->GetActiveSessions(&context, request, &response);
    EXPECT_TRUE(status.ok()) << customer << " " << start_date << ": " << status.error_message();
    return response;
  };
  const std::string nobody = ask(hq, "cust-does-not-exist", "").SerializeAsString();
  for (const char* sibling : {"cust-acme-emea", "cust-acme-sales"}) {
    ASSERT_GT(ask(whole_account, sibling, "").sessions_size(), 0)
        << sibling << " must have active sessions for this test to mean anything";
    for (const char* start : {"", "2000-01-01", "2026-11-25T10:00:00Z", "2100-01-01"}) {
      EXPECT_EQ(ask(hq, sibling, start).SerializeAsString(),
                ask(hq, "cust-does-not-exist", start).SerializeAsString())
          << sibling << " " << start;
    }
    EXPECT_EQ(ask(hq, sibling, "").SerializeAsString(), nobody) << sibling;
  }
  EXPECT_EQ(ask(hq, "cust-does-not-exist", "").sessions_size(), 0);
}

}  // namespace
}  // namespace sessions::testing
