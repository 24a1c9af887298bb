// WatchActiveSessions end to end over real gRPC against an in-process
// server: a watcher's snapshot + changes, replayed, equal the final
// GetActiveSessions truth under concurrent writes of every kind; the same
// after the client is cut mid-stream and resumes from its last revision;
// a resume below the compaction horizon gets OUT_OF_RANGE; other tenants
// and sibling customers never appear; a client that never reads is ended
// while a fast watcher and the writers keep going; shutdown ends streams
// with UNAVAILABLE; no token, no stream.
#include <atomic>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/testing/test_util.h"
#include "tests/test_server.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

namespace sessions::testing {
namespace {

namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

constexpr auto kStreamDeadline = std::chrono::minutes(3);

// What a client builds from the stream: the sessions it believes active.
struct Replayed {
  absl::flat_hash_map<std::string, std::string> sessions;  // id -> serialized
  int64_t revision = 0;
  bool synced = false;
  int messages = 0;

  void Apply(const portal::WatchActiveSessionsResponse& m) {
    ++messages;
    revision = std::max(revision, m.revision());
    switch (m.type()) {
      case portal::WATCH_EVENT_TYPE_SNAPSHOT:
      case portal::WATCH_EVENT_TYPE_UPSERT:
        for (const auto& s : m.sessions()) sessions[s.id()] = s.SerializeAsString();
        break;
      case portal::WATCH_EVENT_TYPE_REMOVE:
        sessions.erase(m.session_id());
        break;
      case portal::WATCH_EVENT_TYPE_SYNCED:
        synced = true;
        break;
      default:
        break;
    }
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const auto& [id, data] : sessions) ids.push_back(id);
    return ids;
  }
};

class WatchE2eTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    options.watch.stream.bookmark_interval = absl::Milliseconds(50);
    options.live_view.poll_interval = absl::Milliseconds(20);
    auto started = TestServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    writer_ = server_->IssueToken("acct-a", kWrite | kRead);
    other_writer_ = server_->IssueToken("acct-b", kWrite);
    reader_ = server_->IssueToken("acct-a", kRead);
    Connect();
  }

  void Connect() {
    channel_ = server_->NewChannel();
    portal_ = portal::PortalService::NewStub(channel_);
    ingest_ = v1::SessionIngestService::NewStub(channel_);
  }

  std::unique_ptr<grpc::ClientContext> StreamContext(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(std::chrono::system_clock::now() + kStreamDeadline);
    return context;
  }

  int64_t Upsert(const std::string& token, const SessionInfo& session) {
    grpc::ClientContext context;
    Authorize(&context, token);
    v1::UpsertSessionRequest request;
    *request.mutable_session() = session;
    v1::UpsertSessionResponse response;
    grpc::Status status = ingest_->UpsertSession(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.revision();
  }

  int64_t End(const std::string& id) {
    grpc::ClientContext context;
    Authorize(&context, writer_);
    v1::EndSessionRequest request;
    request.set_session_id(id);
    v1::EndSessionResponse response;
    grpc::Status status = ingest_->EndSession(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.revision();
  }

  // The truth: GetActiveSessions of acct-a (REST-style, everything).
  std::pair<std::vector<std::string>, absl::flat_hash_map<std::string, std::string>> Truth(
      int64_t* revision, const std::string& customer = "") {
    grpc::ClientContext context;
    Authorize(&context, reader_);
    portal::GetActiveSessionsRequest request;
    request.set_customer_id(customer);
    portal::GetActiveSessionsResponse response;
    grpc::Status status = portal_->GetActiveSessions(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    *revision = response.revision();
    std::vector<std::string> ids;
    absl::flat_hash_map<std::string, std::string> data;
    for (const auto& s : response.sessions()) {
      ids.push_back(s.id());
      data[s.id()] = s.SerializeAsString();
    }
    return {ids, data};
  }

  // Reads `reader` into `state` until it has seen `revision` (a bookmark
  // or a change at or past it) or the stream ends; returns the end status
  // when it ended.
  static bool ReadUntil(grpc::ClientReader<portal::WatchActiveSessionsResponse>* reader,
                        Replayed* state, int64_t revision) {
    portal::WatchActiveSessionsResponse message;
    while (!(state->synced && state->revision >= revision)) {
      if (!reader->Read(&message)) return false;
      state->Apply(message);
    }
    return true;
  }

  // Reads `reader` until it reaches the revision GetActiveSessions answers
  // at now; false if the stream ended first.
  bool ReadUntilListed(grpc::ClientReader<portal::WatchActiveSessionsResponse>* reader,
                       Replayed* state) {
    int64_t revision = 0;
    Truth(&revision);
    return ReadUntil(reader, state, revision);
  }

  // Reads `reader` until it has caught up with GetActiveSessions' answer,
  // then expects the replayed state to be exactly that answer.
  void ExpectCaughtUpWithTruth(grpc::ClientReader<portal::WatchActiveSessionsResponse>* reader,
                               Replayed* state) {
    int64_t revision = 0;
    auto [truth_ids, truth] = Truth(&revision);
    ASSERT_TRUE(ReadUntil(reader, state, revision));
    EXPECT_THAT(state->Ids(), UnorderedElementsAreArray(truth_ids));
    for (const auto& [id, data] : truth) EXPECT_EQ(state->sessions[id], data) << id;
  }

  // Random writes of every kind on acct-a (and some on acct-b).
  void RandomWrites(std::mt19937* rng, int count, std::vector<std::string>* ids) {
    auto pick = [&](int n) { return static_cast<int>((*rng)() % static_cast<unsigned>(n)); };
    for (int i = 0; i < count; ++i) {
      const int op = ids->empty() ? 0 : pick(6);
      if (op <= 1) {
        const std::string id = absl::StrCat("w", next_id_++);
        Upsert(writer_, testutil::MakeSession("acct-a", id, pick(50), pick(2) ? "hq" : "sales"));
        ids->push_back(id);
      } else if (op == 2) {
        End((*ids)[pick(ids->size())]);
      } else if (op == 3) {
        grpc::ClientContext context;
        Authorize(&context, writer_);
        v1::AppendSessionLogRequest request;
        request.set_session_id((*ids)[pick(ids->size())]);
        request.mutable_entry()->set_message("event");
        v1::AppendSessionLogResponse response;
        ingest_->AppendSessionLog(&context, request, &response);  // NOT_FOUND/ended: fine
      } else if (op == 4) {
        grpc::ClientContext context;
        Authorize(&context, writer_);
        v1::UpsertSessionMemberRequest request;
        request.set_session_id((*ids)[pick(ids->size())]);
        request.mutable_member()->set_identity(absl::StrCat("m", pick(3)));
        v1::UpsertSessionMemberResponse response;
        ingest_->UpsertSessionMember(&context, request, &response);
      } else {
        Upsert(other_writer_, testutil::MakeSession("acct-b", absl::StrCat("b", next_id_++), 1));
      }
    }
  }

  std::unique_ptr<TestServer> server_;
  std::string writer_, other_writer_, reader_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<portal::PortalService::Stub> portal_;
  std::unique_ptr<v1::SessionIngestService::Stub> ingest_;
  int next_id_ = 0;
};

TEST_F(WatchE2eTest, SnapshotPlusChangesEqualTheFinalTruth) {
  Start();
  std::mt19937 rng(7);
  std::vector<std::string> ids;
  RandomWrites(&rng, 40, &ids);  // before the watch: its snapshot
  auto context = StreamContext(reader_);
  portal::WatchActiveSessionsRequest request;
  auto reader = portal_->WatchActiveSessions(context.get(), request);
  Replayed state;
  RandomWrites(&rng, 150, &ids);  // while the stream is open
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUpWithTruth(reader.get(), &state));
  for (const auto& [id, data] : state.sessions) EXPECT_EQ(id.rfind("b", 0), std::string::npos);
  context->TryCancel();
  reader->Finish();
}

TEST_F(WatchE2eTest, ResumeAfterACutStreamMissesNothing) {
  Start();
  std::mt19937 rng(11);
  std::vector<std::string> ids;
  RandomWrites(&rng, 30, &ids);
  Replayed state;
  {
    auto context = StreamContext(reader_);
    auto reader = portal_->WatchActiveSessions(context.get(), {});
    ASSERT_TRUE(ReadUntilListed(reader.get(), &state));
    context->TryCancel();  // the client dies
    reader->Finish();
  }
  RandomWrites(&rng, 100, &ids);  // while it is away
  auto context = StreamContext(reader_);
  portal::WatchActiveSessionsRequest resume;
  resume.set_start_revision(state.revision);
  auto reader = portal_->WatchActiveSessions(context.get(), resume);
  state.synced = false;
  RandomWrites(&rng, 50, &ids);
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUpWithTruth(reader.get(), &state));
  context->TryCancel();
  reader->Finish();
}

TEST_F(WatchE2eTest, ResumeAcrossAServerRestartMissesNothing) {
  Start();
  std::mt19937 rng(13);
  std::vector<std::string> ids;
  RandomWrites(&rng, 40, &ids);
  Replayed state;
  auto context = StreamContext(reader_);
  auto reader = portal_->WatchActiveSessions(context.get(), {});
  ASSERT_TRUE(ReadUntilListed(reader.get(), &state));
  std::thread restart([&] { ASSERT_TRUE(server_->Restart().ok()); });
  portal::WatchActiveSessionsResponse message;
  while (reader->Read(&message)) state.Apply(message);
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  restart.join();
  Connect();  // the new server's ports
  RandomWrites(&rng, 60, &ids);
  auto resumed_context = StreamContext(reader_);
  portal::WatchActiveSessionsRequest resume;
  resume.set_start_revision(state.revision);
  auto resumed = portal_->WatchActiveSessions(resumed_context.get(), resume);
  state.synced = false;
  ASSERT_NO_FATAL_FAILURE(ExpectCaughtUpWithTruth(resumed.get(), &state));
  resumed_context->TryCancel();
  resumed->Finish();
}

TEST_F(WatchE2eTest, ResumeBelowTheHorizonIsOutOfRange) {
  ServerOptions options;
  options.storage.retention = absl::ZeroDuration();
  options.storage.purge_interval = absl::Milliseconds(10);
  Start(options);
  const int64_t first = Upsert(writer_, testutil::MakeSession("acct-a", "s1", 1));
  End("s1");
  Upsert(writer_, testutil::MakeSession("acct-a", "s2", 2));
  // The ended s1 is purged soon; until then a resume from `first` works.
  grpc::Status status;
  const absl::Time deadline = absl::Now() + absl::Minutes(2);
  do {
    auto context = StreamContext(reader_);
    portal::WatchActiveSessionsRequest resume;
    resume.set_start_revision(first);
    auto reader = portal_->WatchActiveSessions(context.get(), resume);
    portal::WatchActiveSessionsResponse message;
    while (reader->Read(&message)) {
      if (message.type() == portal::WATCH_EVENT_TYPE_SYNCED) context->TryCancel();
    }
    status = reader->Finish();
  } while (status.error_code() != grpc::StatusCode::OUT_OF_RANGE && absl::Now() < deadline);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("horizon"));
}

TEST_F(WatchE2eTest, RestrictedTokensSeeOnlyTheirSubtree) {
  Start();
  const std::string hq = server_->IssueToken("acct-a", kRead, "hq");
  auto context = StreamContext(hq);
  portal::WatchActiveSessionsRequest asks_for_sibling;
  asks_for_sibling.set_customer_id("sales");
  auto sibling = portal_->WatchActiveSessions(context.get(), asks_for_sibling);
  auto own_context = StreamContext(hq);
  auto own = portal_->WatchActiveSessions(own_context.get(), {});
  Upsert(writer_, testutil::MakeSession("acct-a", "in-sales", 1, "sales"));
  Upsert(writer_, testutil::MakeSession("acct-a", "in-hq", 2, "hq"));
  const int64_t last = Upsert(other_writer_, testutil::MakeSession("acct-b", "other", 3, "hq"));
  Replayed own_state, sibling_state;
  ASSERT_TRUE(ReadUntil(own.get(), &own_state, last));
  ASSERT_TRUE(ReadUntil(sibling.get(), &sibling_state, last));
  EXPECT_THAT(own_state.Ids(), UnorderedElementsAreArray({"in-hq"}));
  EXPECT_THAT(sibling_state.Ids(), IsEmpty());
  context->TryCancel();
  own_context->TryCancel();
  sibling->Finish();
  own->Finish();
}

TEST_F(WatchE2eTest, AClientThatNeverReadsIsEndedWhileOthersKeepUp) {
  ServerOptions options;
  options.watch.stream.max_pending = 50;
  Start(options);
  auto slow_context = StreamContext(reader_);
  auto slow = portal_->WatchActiveSessions(slow_context.get(), {});
  auto fast_context = StreamContext(reader_);
  auto fast = portal_->WatchActiveSessions(fast_context.get(), {});
  Replayed fast_state;
  std::atomic<int64_t> target{std::numeric_limits<int64_t>::max()};
  std::thread fast_reader([&] {
    portal::WatchActiveSessionsResponse message;
    while (!(fast_state.synced && fast_state.revision >= target.load()) && fast->Read(&message)) {
      fast_state.Apply(message);
    }
  });
  // Big sessions fill the slow stream's flow-control window quickly.
  int64_t last = 0;
  for (int i = 0; i < 300; ++i) {
    SessionInfo s = testutil::MakeSession("acct-a", absl::StrCat("big", i), i % 50);
    for (int l = 0; l < 64; ++l) s.add_log()->set_message(std::string(1000, 'x'));
    last = Upsert(writer_, s);  // every write is acknowledged: the slow client holds nobody up
  }
  ASSERT_GT(last, 0);
  target = last;
  // The slow client finally reads: what was sent, then the end.
  portal::WatchActiveSessionsResponse message;
  while (slow->Read(&message)) {
  }
  const grpc::Status slow_status = slow->Finish();
  EXPECT_EQ(slow_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << slow_status.error_message();
  fast_reader.join();
  EXPECT_EQ(fast_state.sessions.size(), 300u);
  server_->server().Shutdown();  // ends the fast stream
  while (fast->Read(&message)) {
  }
  EXPECT_EQ(fast->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(WatchE2eTest, ARevokedTokensStreamsEnd) {
  ServerOptions options;
  options.watch.token_recheck_interval = absl::Milliseconds(50);
  Start(options);
  const std::string doomed = server_->IssueToken("acct-a", kRead);
  auto context = StreamContext(doomed);
  auto reader = portal_->WatchActiveSessions(context.get(), {});
  Replayed state;
  ASSERT_TRUE(ReadUntil(reader.get(), &state, 0));  // open and synced
  server_->RevokeToken(doomed);
  portal::WatchActiveSessionsResponse message;
  while (reader->Read(&message)) {
  }
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
}

TEST_F(WatchE2eTest, MinRevisionReadsYourWriteOrTimesOut) {
  Start();
  const int64_t written = Upsert(writer_, testutil::MakeSession("acct-a", "mine", 1));
  portal::GetActiveSessionsRequest request;
  request.set_min_revision(written);
  portal::GetActiveSessionsResponse response;
  {
    grpc::ClientContext context;
    Authorize(&context, reader_);
    ASSERT_TRUE(portal_->GetActiveSessions(&context, request, &response).ok());
  }
  EXPECT_GE(response.revision(), written);
  ASSERT_EQ(response.sessions_size(), 1);
  EXPECT_EQ(response.sessions(0).id(), "mine");
  // A revision the store does not have yet: the call's own deadline.
  request.set_min_revision(written + 1000);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + reader_);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  const grpc::Status status = portal_->GetActiveSessions(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(WatchE2eTest, NoTokenNoStream) {
  Start();
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kStreamDeadline);
  auto reader = portal_->WatchActiveSessions(&context, {});
  portal::WatchActiveSessionsResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace sessions::testing
