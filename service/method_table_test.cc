#include "service/method_table.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {
namespace {

using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;

class MapMetadata final : public MetadataView {
 public:
  explicit MapMetadata(std::optional<std::string> auth) : auth_(std::move(auth)) {}
  std::optional<std::string_view> Get(std::string_view key) const override {
    if (key == "authorization" && auth_) return *auth_;
    return std::nullopt;
  }

 private:
  std::optional<std::string> auth_;
};

// Accepts "Bearer reader" (read scope) and "Bearer writer" (write scope).
class FakeAuthenticator final : public Authenticator {
 public:
  absl::StatusOr<Principal> Authenticate(const MetadataView* metadata) override {
    ++calls;
    auto value = metadata ? metadata->Get("authorization") : std::nullopt;
    Principal p;
    p.account_id = "acct";
    if (value == "Bearer reader") {
      p.scopes = static_cast<uint32_t>(Scope::kSessionsRead);
      return p;
    }
    if (value == "Bearer writer") {
      p.scopes = static_cast<uint32_t>(Scope::kSessionsWrite);
      return p;
    }
    return absl::UnauthenticatedError("missing or invalid bearer token");
  }
  int calls = 0;
};

class RecordingObserver final : public CallObserver {
 public:
  void OnCallDone(const google::protobuf::MethodDescriptor& method, const CallContext&,
                  const absl::Status& status, absl::Duration) override {
    calls.push_back(method.name() + ":" + absl::StatusCodeToString(status.code()));
  }
  std::vector<std::string> calls;
};

class MethodTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_.Register<GetActiveSessionsRequest, GetActiveSessionsResponse>(
        google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            "voice.api.app.portal.v1.PortalService.GetActiveSessions"),
        Scope::kSessionsRead,
        [this](const CallContext& ctx, const GetActiveSessionsRequest& req,
               GetActiveSessionsResponse* resp) {
          ++handler_calls_;
          resp->add_sessions()->set_account_id(ctx.principal.account_id + "/" + req.account_id());
          return absl::OkStatus();
        });
  }

  absl::Status Call(std::optional<std::string> auth, GetActiveSessionsResponse* resp,
                    absl::Time deadline = absl::InfiniteFuture(),
                    std::function<absl::Status(const Principal&)> hold_answer = nullptr) {
    MapMetadata metadata(std::move(auth));
    CallContext ctx;
    ctx.metadata = &metadata;
    ctx.deadline = deadline;
    ctx.hold_answer = std::move(hold_answer);
    GetActiveSessionsRequest req;
    req.set_account_id("x");
    absl::Status result = absl::UnknownError("done not called");
    table_.Invoke(*table_.Find("voice.api.app.portal.v1.PortalService.GetActiveSessions"), &ctx,
                  req, resp, [&](absl::Status s) { result = s; });
    return result;
  }

  FakeAuthenticator auth_;
  RecordingObserver observer_;
  MethodTable table_{&auth_, &observer_};
  int handler_calls_ = 0;
};

TEST_F(MethodTableTest, FindsRegisteredMethodsOnly) {
  EXPECT_NE(table_.Find("voice.api.app.portal.v1.PortalService.GetActiveSessions"), nullptr);
  EXPECT_EQ(table_.Find("voice.api.app.portal.v1.PortalService.Nope"), nullptr);
  ASSERT_EQ(table_.Methods().size(), 1u);
  EXPECT_EQ(table_.Methods()[0]->descriptor->name(), "GetActiveSessions");
}

TEST_F(MethodTableTest, RunsHandlerWithPrincipalWhenAuthenticated) {
  GetActiveSessionsResponse resp;
  ASSERT_TRUE(Call("Bearer reader", &resp).ok());
  EXPECT_EQ(handler_calls_, 1);
  ASSERT_EQ(resp.sessions_size(), 1);
  EXPECT_EQ(resp.sessions(0).account_id(), "acct/x");
  EXPECT_EQ(observer_.calls, std::vector<std::string>{"GetActiveSessions:OK"});
}

TEST_F(MethodTableTest, RejectsMissingAndBadTokensBeforeTheHandler) {
  GetActiveSessionsResponse resp;
  EXPECT_EQ(Call(std::nullopt, &resp).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Call("Bearer nope", &resp).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(handler_calls_, 0);
  EXPECT_EQ(observer_.calls.size(), 2u);
}

TEST_F(MethodTableTest, RejectsTokenWithoutRequiredScope) {
  GetActiveSessionsResponse resp;
  EXPECT_EQ(Call("Bearer writer", &resp).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(handler_calls_, 0);
  EXPECT_EQ(observer_.calls, std::vector<std::string>{"GetActiveSessions:PERMISSION_DENIED"});
}

TEST_F(MethodTableTest, CallsPastTheirDeadlineAreRefusedBeforeAnyWork) {
  GetActiveSessionsResponse resp;
  absl::Status late = Call("Bearer reader", &resp, absl::Now() - absl::Seconds(1));
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(handler_calls_, 0);
  EXPECT_EQ(auth_.calls, 0);  // not even the token lookup
  EXPECT_EQ(observer_.calls, std::vector<std::string>{"GetActiveSessions:DEADLINE_EXCEEDED"});
  EXPECT_TRUE(Call("Bearer reader", &resp, absl::Now() + absl::Minutes(1)).ok());
  EXPECT_EQ(handler_calls_, 1);
}

// The transport's hold on answers sees only answers (not calls refused
// before the handler), and what it refuses is reported with its own status,
// not as the handler's OK.
TEST_F(MethodTableTest, AnAnswerTheTransportCannotHoldIsReportedAsRefused) {
  std::vector<std::string> held;
  auto ration = [&](const Principal& caller) {
    held.push_back(caller.account_id);
    return held.size() == 1 ? absl::OkStatus() : absl::ResourceExhaustedError("rationed");
  };
  GetActiveSessionsResponse resp;
  EXPECT_TRUE(Call("Bearer reader", &resp, absl::InfiniteFuture(), ration).ok());
  EXPECT_EQ(Call("Bearer reader", &resp, absl::InfiniteFuture(), ration).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Call("Bearer writer", &resp, absl::InfiniteFuture(), ration).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Call("Bearer nope", &resp, absl::InfiniteFuture(), ration).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(held, (std::vector<std::string>{"acct", "acct"}));
  EXPECT_EQ(handler_calls_, 2);
  EXPECT_EQ(observer_.calls,
            (std::vector<std::string>{
                "GetActiveSessions:OK", "GetActiveSessions:RESOURCE_EXHAUSTED",
                "GetActiveSessions:PERMISSION_DENIED", "GetActiveSessions:UNAUTHENTICATED"}));
}

TEST_F(MethodTableTest, RefusedCallsAreAuthenticatedFirstAndReported) {
  const MethodEntry& method =
      *table_.Find("voice.api.app.portal.v1.PortalService.GetActiveSessions");
  auto refuse = [&](std::optional<std::string> auth) {
    MapMetadata metadata(std::move(auth));
    CallContext ctx;
    ctx.metadata = &metadata;
    absl::Status result = absl::UnknownError("done not called");
    table_.Refuse(method, &ctx, absl::InvalidArgumentError("request: unparsable"),
                  [&](absl::Status s) { result = s; });
    return result;
  };
  EXPECT_EQ(refuse(std::nullopt).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(refuse("Bearer reader").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(handler_calls_, 0);
  EXPECT_EQ(observer_.calls, (std::vector<std::string>{"GetActiveSessions:UNAUTHENTICATED",
                                                       "GetActiveSessions:INVALID_ARGUMENT"}));
}

}  // namespace
}  // namespace sessions
