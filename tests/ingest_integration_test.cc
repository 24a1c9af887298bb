// SessionIngestService through a real gRPC channel against an in-process
// Server: each RPC, idempotency, the staleness rule, validation, tenant
// checks, read-your-writes.
#include <string>

#include "absl/time/clock.h"
#include "common/iso_time.h"
#include "google/protobuf/unknown_field_set.h"
#include "gtest/gtest.h"
#include "tests/test_server.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

namespace sessions::testing {
namespace {

namespace v1 = ::voice::api::sessions::v1;
using ::voice::api::app::portal::v1::GetActiveSessionsRequest;
using ::voice::api::app::portal::v1::GetActiveSessionsResponse;
using ::voice::api::app::portal::v1::PortalService;

SessionInfo MakeSession(const std::string& id,
                        const std::string& modified = "2026-11-25T10:00:00Z") {
  SessionInfo s;
  s.set_id(id);
  s.set_account_id("acct-a");
  s.set_customer_id("cust-1");
  s.set_date_created("2026-11-25T09:00:00Z");
  s.set_date_last_modified(modified);
  s.set_display_name("call " + id);
  s.set_call_state(v1::SESSION_CALL_STATE_RINGING);
  return s;
}

// Adds a member within every per-field limit that weighs ~35 KB.
void AddBulkyMember(SessionInfo* session, int n) {
  v1::SessionMemberInfo* member = session->add_members();
  member->set_identity("member-" + std::to_string(n));
  for (int k = 0; k < 32; ++k) {
    (*member->mutable_application_data())["key-" + std::to_string(k)] = std::string(1000, 'v');
  }
}

class IngestIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = TestServer::Start();
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    ingest_ = v1::SessionIngestService::NewStub(server_->NewChannel());
    portal_ = PortalService::NewStub(server_->NewChannel());
    writer_ = server_->IssueToken("acct-a", kRead | kWrite);
  }

  grpc::Status Upsert(const SessionInfo& session, bool* applied = nullptr,
                      const std::string& token = "") {
    grpc::ClientContext context;
    Authorize(&context, token.empty() ? writer_ : token);
    v1::UpsertSessionRequest request;
    *request.mutable_session() = session;
    v1::UpsertSessionResponse response;
    grpc::Status status = ingest_->UpsertSession(&context, request, &response);
    if (applied) *applied = response.applied();
    return status;
  }

  std::vector<SessionInfo> Active() {
    grpc::ClientContext context;
    Authorize(&context, writer_);
    GetActiveSessionsResponse response;
    EXPECT_TRUE(portal_->GetActiveSessions(&context, GetActiveSessionsRequest(), &response).ok());
    return {response.sessions().begin(), response.sessions().end()};
  }

  template <typename Req, typename Resp>
  grpc::Status Call(grpc::Status (v1::SessionIngestService::Stub::*method)(grpc::ClientContext*,
                                                                           const Req&, Resp*),
                    const Req& request) {
    grpc::ClientContext context;
    Authorize(&context, writer_);
    Resp response;
    return (ingest_.get()->*method)(&context, request, &response);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::SessionIngestService::Stub> ingest_;
  std::unique_ptr<PortalService::Stub> portal_;
  std::string writer_;
};

TEST_F(IngestIntegrationTest, UpsertIsVisibleToTheNextReadAndIdempotent) {
  bool applied = false;
  ASSERT_TRUE(Upsert(MakeSession("s1"), &applied).ok());
  EXPECT_TRUE(applied);
  ASSERT_TRUE(Upsert(MakeSession("s1"), &applied).ok());
  EXPECT_TRUE(applied);
  std::vector<SessionInfo> active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].SerializeAsString(), MakeSession("s1").SerializeAsString());
}

TEST_F(IngestIntegrationTest, StaleUpsertIsIgnored) {
  SessionInfo newer = MakeSession("s1", "2026-11-25T10:00:05Z");
  newer.set_display_name("newer");
  ASSERT_TRUE(Upsert(newer).ok());
  bool applied = true;
  ASSERT_TRUE(Upsert(MakeSession("s1", "2026-11-25T10:00:00Z"), &applied).ok());
  EXPECT_FALSE(applied);
  EXPECT_EQ(Active()[0].display_name(), "newer");
}

TEST_F(IngestIntegrationTest, BatchUpsertCountsAppliedAndStale) {
  ASSERT_TRUE(Upsert(MakeSession("s0", "2026-11-25T12:00:00Z")).ok());
  v1::BatchUpsertSessionsRequest request;
  for (int i = 0; i < 4; ++i) *request.add_sessions() = MakeSession("s" + std::to_string(i));
  grpc::ClientContext context;
  Authorize(&context, writer_);
  v1::BatchUpsertSessionsResponse response;
  ASSERT_TRUE(ingest_->BatchUpsertSessions(&context, request, &response).ok());
  EXPECT_EQ(response.applied_count(), 3);
  EXPECT_EQ(response.stale_count(), 1);
  EXPECT_EQ(Active().size(), 4u);
}

TEST_F(IngestIntegrationTest, EndSessionRemovesItFromActive) {
  ASSERT_TRUE(Upsert(MakeSession("s1")).ok());
  ASSERT_TRUE(Upsert(MakeSession("s2")).ok());
  v1::EndSessionRequest end;
  end.set_session_id("s1");
  end.set_outcome("completed");
  ASSERT_TRUE(Call(&v1::SessionIngestService::Stub::EndSession, end).ok());
  std::vector<SessionInfo> active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id(), "s2");
  end.set_session_id("missing");
  EXPECT_EQ(Call(&v1::SessionIngestService::Stub::EndSession, end).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(IngestIntegrationTest, LogAndMembersAreUpdatedInPlace) {
  ASSERT_TRUE(Upsert(MakeSession("s1")).ok());
  v1::AppendSessionLogRequest log;
  log.set_session_id("s1");
  log.mutable_entry()->set_message("ringing agent");
  ASSERT_TRUE(Call(&v1::SessionIngestService::Stub::AppendSessionLog, log).ok());

  v1::UpsertSessionMemberRequest member;
  member.set_session_id("s1");
  member.mutable_member()->set_identity("agent-7");
  member.mutable_member()->set_role(v1::SESSION_MEMBER_ROLES_AGENT);
  (*member.mutable_member()->mutable_application_data())["queue"] = "sales";
  ASSERT_TRUE(Call(&v1::SessionIngestService::Stub::UpsertSessionMember, member).ok());
  member.mutable_member()->set_muted(true);  // same identity: replaced, not added
  ASSERT_TRUE(Call(&v1::SessionIngestService::Stub::UpsertSessionMember, member).ok());

  SessionInfo stored = Active()[0];
  ASSERT_EQ(stored.log_size(), 1);
  EXPECT_EQ(stored.log(0).message(), "ringing agent");
  EXPECT_FALSE(stored.log(0).date().empty());
  ASSERT_EQ(stored.members_size(), 1);
  EXPECT_TRUE(stored.members(0).muted());
  EXPECT_EQ(stored.members(0).application_data().at("queue"), "sales");

  v1::RemoveSessionMemberRequest remove;
  remove.set_session_id("s1");
  remove.set_identity("agent-7");
  ASSERT_TRUE(Call(&v1::SessionIngestService::Stub::RemoveSessionMember, remove).ok());
  EXPECT_EQ(Active()[0].members_size(), 0);
}

TEST_F(IngestIntegrationTest, InvalidWritesNameTheFieldAndChangeNothing) {
  ASSERT_TRUE(Upsert(MakeSession("keep")).ok());
  const std::string before = Active()[0].SerializeAsString();

  struct Case {
    std::string field;
    std::function<void(SessionInfo*)> spoil;
  };
  std::vector<Case> cases = {
      {"session.id", [](SessionInfo* s) { s->clear_id(); }},
      {"session.date_created", [](SessionInfo* s) { s->clear_date_created(); }},
      {"session.date_created", [](SessionInfo* s) { s->set_date_created("tuesday"); }},
      {"session.date_last_modified",
       [](SessionInfo* s) { s->set_date_last_modified("2026-99-01"); }},
      {"session.call_state",
       [](SessionInfo* s) { s->set_call_state(static_cast<v1::SessionCallState>(42)); }},
      {"session.members[0].role",
       [](SessionInfo* s) { s->add_members()->set_role(static_cast<v1::SessionMemberRoles>(9)); }},
      {"session.display_name", [](SessionInfo* s) { s->set_display_name(std::string(5000, 'x')); }},
      {"session.id", [](SessionInfo* s) { s->set_id(std::string(200, 'k')); }},
      {"session.members",
       [](SessionInfo* s) {
         for (int i = 0; i < 65; ++i) s->add_members();
       }},
      {"session.log[0].date", [](SessionInfo* s) { s->add_log()->set_date("later"); }},
      // A date far ahead would make every later, legitimate write stale.
      {"session.date_last_modified",
       [](SessionInfo* s) {
         s->set_date_last_modified(FormatIsoTime(absl::Now() + absl::Hours(1)));
       }},
      // Unknown fields would bypass every limit and reach every reader.
      {"session: unknown field 99",
       [](SessionInfo* s) {
         s->GetReflection()->MutableUnknownFields(s)->AddLengthDelimited(99, "x");
       }},
      {"session.members[0]: unknown field 7000",
       [](SessionInfo* s) {
         v1::SessionMemberInfo* m = s->add_members();
         m->GetReflection()->MutableUnknownFields(m)->AddVarint(7000, 1);
       }},
      {"session.display_name: control character U+001B",
       [](SessionInfo* s) { s->set_display_name("red \x1b[31m alert"); }},
      {"session.members[0].application_data.value: control character U+0000",
       [](SessionInfo* s) {
         (*s->add_members()->mutable_application_data())["k"] = std::string("a\0b", 3);
       }},
      {"session: ",
       [](SessionInfo* s) {  // within every field limit, over the session's
         for (int i = 0; i < 40; ++i) AddBulkyMember(s, i);
       }},
  };
  for (const Case& c : cases) {
    SessionInfo session = MakeSession("keep", "2026-11-25T11:00:00Z");
    c.spoil(&session);
    grpc::Status status = Upsert(session);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(status.error_message().rfind(c.field, 0), 0u)
        << c.field << " not named first in: " << status.error_message();
  }
  ASSERT_EQ(Active().size(), 1u);
  EXPECT_EQ(Active()[0].SerializeAsString(), before);
}

TEST_F(IngestIntegrationTest, UpdatesCannotGrowASessionPastItsLimit) {
  ASSERT_TRUE(Upsert(MakeSession("grow")).ok());
  grpc::Status refused;
  int accepted = 0;
  for (int i = 0; i < 64 && refused.ok(); ++i) {
    SessionInfo carrier;
    AddBulkyMember(&carrier, i);
    v1::UpsertSessionMemberRequest member;
    member.set_session_id("grow");
    *member.mutable_member() = carrier.members(0);
    refused = Call(&v1::SessionIngestService::Stub::UpsertSessionMember, member);
    if (refused.ok()) ++accepted;
  }
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("over the limit"), std::string::npos);
  // The session stays readable, at its last accepted size.
  std::vector<SessionInfo> active = Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].members_size(), accepted);
  EXPECT_LE(active[0].ByteSizeLong(), 1024u * 1024u);

  v1::UpsertSessionMemberRequest unknown;
  unknown.set_session_id("grow");
  unknown.mutable_member()->set_identity("u");
  unknown.mutable_member()
      ->GetReflection()
      ->MutableUnknownFields(unknown.mutable_member())
      ->AddLengthDelimited(12, std::string(1000, 'x'));
  grpc::Status status = Call(&v1::SessionIngestService::Stub::UpsertSessionMember, unknown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message().rfind("member: unknown field 12", 0), 0u)
      << status.error_message();
}

// The attack found against the demo server: a token restricted to HQ wrote
// a session for its sibling Sales with breadcrumb [HQ]; it was accepted and
// shown to (and could be ended by) Sales' token. The customer tree now comes
// from the account's directory, which only account-level writers state.
TEST_F(IngestIntegrationTest, RestrictedWritersCannotClaimAnotherCustomer) {
  auto placed = [](const std::string& id, const std::string& customer,
                   std::vector<std::string> breadcrumb) {
    SessionInfo s = MakeSession(id);
    s.set_customer_id(customer);
    for (const std::string& crumb : breadcrumb) s.add_customer_breadcrumb()->set_id(crumb);
    return s;
  };
  // The platform (an account-level writer) states the tree.
  ASSERT_TRUE(Upsert(placed("sup-1", "support", {"group", "hq"})).ok());
  ASSERT_TRUE(Upsert(placed("sales-1", "sales", {"group"})).ok());

  const std::string hq = server_->IssueToken("acct-a", kRead | kWrite, "hq");
  const std::string sales = server_->IssueToken("acct-a", kRead | kWrite, "sales");
  grpc::Status forged = Upsert(placed("forged", "sales", {"hq"}), nullptr, hq);
  EXPECT_EQ(forged.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(forged.error_message(),
            "customer_id: outside the customer this token is restricted to");
  // A customer nobody has stated: the same answer.
  grpc::Status unknown = Upsert(placed("ghost-1", "ghost", {"group", "hq"}), nullptr, hq);
  EXPECT_EQ(unknown.error_code(), forged.error_code());
  EXPECT_EQ(unknown.error_message(), forged.error_message());
  // Batches too, as a whole.
  {
    grpc::ClientContext context;
    Authorize(&context, hq);
    v1::BatchUpsertSessionsRequest request;
    *request.add_sessions() = placed("sup-2", "support", {"group", "hq"});
    *request.add_sessions() = placed("forged-2", "sales", {"hq"});
    v1::BatchUpsertSessionsResponse response;
    EXPECT_EQ(ingest_->BatchUpsertSessions(&context, request, &response).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Its own subtree, with the directory's breadcrumb: accepted.
  EXPECT_TRUE(Upsert(placed("sup-3", "support", {"group", "hq"}), nullptr, hq).ok());

  // Sales sees only what the platform wrote for it.
  grpc::ClientContext context;
  Authorize(&context, sales);
  GetActiveSessionsResponse seen_by_sales;
  ASSERT_TRUE(portal_->GetActiveSessions(&context, {}, &seen_by_sales).ok());
  std::vector<std::string> ids;
  for (const SessionInfo& s : seen_by_sales.sessions()) ids.push_back(s.id());
  EXPECT_EQ(ids, std::vector<std::string>{"sales-1"});
  std::vector<std::string> all;
  for (const SessionInfo& s : Active()) all.push_back(s.id());
  EXPECT_EQ(all, (std::vector<std::string>{"sales-1", "sup-1", "sup-3"}));
}

TEST_F(IngestIntegrationTest, WritesNeedWriteScopeAndTheirOwnAccount) {
  SessionInfo other = MakeSession("x");
  other.set_account_id("acct-b");
  EXPECT_EQ(Upsert(other).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string reader = server_->IssueToken("acct-a", kRead);
  EXPECT_EQ(Upsert(MakeSession("y"), nullptr, reader).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Active().empty());
}

}  // namespace
}  // namespace sessions::testing
