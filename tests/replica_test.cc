// Stateless replicas on one PostgreSQL database, end to end: real
// sessions_server processes (--store=postgres, the DSN from a file, as a
// Kubernetes Secret gives it) on a real PostgreSQL 15.
//   - replicas started at the same moment migrate once and all serve;
//   - a write through replica A is in B's GetActiveSessions (min_revision)
//     and arrives on B's watch streams;
//   - kill -9 of A during concurrent ingest loses no acknowledged write
//     (read back through B);
//   - a watcher on A resumes on B with its last revision and misses nothing.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "service/auth/token_issuer.h"
#include "storage/postgres/pg_token_store.h"
#include "storage/testing/postgres_instance.h"
#include "storage/testing/test_util.h"
#include "tools/live_sessions.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

extern char** environ;

namespace sessions::testing {
namespace {

namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;

constexpr char kAccount[] = "acct-replicas";

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/", std::getenv("TEST_WORKSPACE"), "/", path);
}

std::string TempPath(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

std::chrono::system_clock::time_point Deadline(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// Starts `args` (argv[0] first) with its stdout in `out_file`; the pid, or
// -1 if it could not be started.
pid_t Spawn(std::vector<std::string> args, const std::string& out_file) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return spawned == 0 ? pid : -1;
}

// One sessions_server process.
class Replica {
 public:
  // Spawns it; Wait() for its port.
  Replica(const std::string& name, const std::string& dsn_file,
          // By default the NOTIFY wake, not the poll, must carry changes
          // (and a revocation: tokens are cached for an hour).
          const std::string& poll_interval = "30s")
      : out_file_(TempPath(name + ".out")) {
    std::vector<std::string> args = {Runfile("server/sessions_server"),
                                     "--grpc_address=127.0.0.1:0",
                                     "--http_address=",
                                     "--log_level=warn",
                                     "--store=postgres",
                                     "--postgres_dsn_file=" + dsn_file,
                                     "--view_poll_interval=" + poll_interval,
                                     "--token_cache_ttl=1h"};
    pid_ = Spawn(args, out_file_);
    EXPECT_GT(pid_, 0);
  }

  ~Replica() {
    // Closed first: an idle client connection holds a SIGTERMed server's
    // drain until its deadline (10 s), for no test's benefit.
    channel_.reset();
    if (pid_ > 0) Kill(SIGTERM);
  }

  // Waits for its READY line; the port, or 0 if it never came.
  int Wait() {
    testutil::WaitUntil(
        [&] {
          std::ifstream in(out_file_);
          std::string line;
          while (std::getline(in, line)) std::sscanf(line.c_str(), "READY grpc_port=%d", &port_);
          return port_ != 0;
        },
        absl::Seconds(120));
    if (port_ != 0) {
      channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_),
                                     grpc::InsecureChannelCredentials());
    }
    return port_;
  }

  void Kill(int signal) {
    ASSERT_EQ(kill(pid_, signal), 0);
    int wstatus = 0;
    waitpid(pid_, &wstatus, 0);
    pid_ = 0;
  }

  std::unique_ptr<v1::SessionIngestService::Stub> Ingest() {
    return v1::SessionIngestService::NewStub(channel_);
  }
  std::unique_ptr<portal::PortalService::Stub> Portal() {
    return portal::PortalService::NewStub(channel_);
  }
  // The gRPC health status (what the readiness probe asks).
  grpc::health::v1::HealthCheckResponse::ServingStatus Health() {
    grpc::ClientContext context;
    context.set_deadline(Deadline(10));
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status =
        grpc::health::v1::Health::NewStub(channel_)->Check(&context, {}, &response);
    return status.ok() ? response.status() : grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }

 private:
  const std::string out_file_;
  pid_t pid_ = 0;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

void Authorize(grpc::ClientContext* context, const std::string& token, int deadline_seconds = 60) {
  context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(Deadline(deadline_seconds));
}

SessionInfo NewSession(const std::string& id) {
  SessionInfo s;
  s.set_account_id(kAccount);
  s.set_id(id);
  s.set_date_created("2026-11-25T10:00:00Z");
  s.set_display_name("Session " + id);
  return s;
}

// The test's database: a PostgreSQL server of its own, a DSN file, and a
// read+write token created in the database the replicas share.
class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testutil::PostgresInstance>> server =
        testutil::PostgresInstance::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<std::string> dsn = server_->CreateDatabase();
    ASSERT_TRUE(dsn.ok()) << dsn.status();
    dsn_file_ = TempPath("dsn");
    std::ofstream(dsn_file_) << *dsn << "\n";
    absl::StatusOr<std::unique_ptr<PgTokenStore>> tokens = PgTokenStore::Open(*dsn, {});
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    TokenRecord record;
    record.account_id = kAccount;
    record.name = "replica-test";
    record.scopes =
        static_cast<uint32_t>(Scope::kSessionsRead) | static_cast<uint32_t>(Scope::kSessionsWrite);
    record.created_at = absl::Now();
    absl::StatusOr<auth::IssuedToken> issued = auth::IssueToken(tokens->get(), record);
    ASSERT_TRUE(issued.ok()) << issued.status();
    token_ = issued->secret;
  }

  // Starts `n` replicas at the same moment and waits for all.
  std::vector<std::unique_ptr<Replica>> StartReplicas(int n) {
    std::vector<std::unique_ptr<Replica>> replicas;
    for (int i = 0; i < n; ++i) {
      replicas.push_back(std::make_unique<Replica>(absl::StrCat("replica", i), dsn_file_));
    }
    for (auto& replica : replicas) EXPECT_GT(replica->Wait(), 0) << "a replica did not start";
    return replicas;
  }

  // Upserts through `replica`; the write's revision (0 on failure).
  int64_t Upsert(Replica& replica, const SessionInfo& session) {
    v1::UpsertSessionRequest request;
    *request.mutable_session() = session;
    grpc::ClientContext context;
    Authorize(&context, token_);
    v1::UpsertSessionResponse response;
    const grpc::Status status = replica.Ingest()->UpsertSession(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return status.ok() ? response.revision() : 0;
  }

  // Every active session of the account on `replica`, once it reflects
  // `min_revision` (id -> display name), paging through.
  std::map<std::string, std::string> ActiveOn(Replica& replica, int64_t min_revision) {
    std::map<std::string, std::string> active;
    std::string page_token;
    auto stub = replica.Portal();
    do {
      portal::GetActiveSessionsRequest request;
      request.set_account_id(kAccount);
      request.set_min_revision(min_revision);
      request.set_page_size(500);
      request.set_page_token(page_token);
      grpc::ClientContext context;
      Authorize(&context, token_);
      portal::GetActiveSessionsResponse response;
      const grpc::Status status = stub->GetActiveSessions(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const SessionInfo& s : response.sessions()) active[s.id()] = s.display_name();
      page_token = response.next_page_token();
    } while (!page_token.empty());
    return active;
  }

  std::unique_ptr<testutil::PostgresInstance> server_;
  std::string dsn_file_;
  std::string token_;
};

// A client's picture of the account from a watch stream: sessionsctl
// watch's own replay.
using Watcher = tools::LiveSessions;

// Reads `stream` into `watcher` until `done(watcher)` or the stream ends;
// returns whether `done` was reached.
template <typename Stream, typename Done>
bool ReadUntil(Stream& stream, Watcher& watcher, Done done) {
  portal::WatchActiveSessionsResponse message;
  while (!done(watcher)) {
    if (!stream.Read(&message)) return false;
    watcher.Apply(message);  // (its change lines are for a terminal)
  }
  return true;
}

TEST_F(ReplicaTest, WritesThroughOneReplicaAreReadAndWatchedOnAnother) {
  std::vector<std::unique_ptr<Replica>> replicas = StartReplicas(3);  // migrate together
  Replica& a = *replicas[0];
  Replica& b = *replicas[1];
  Replica& c = *replicas[2];

  // A watch on B, synced before the write.
  portal::WatchActiveSessionsRequest watch_request;
  watch_request.set_account_id(kAccount);
  grpc::ClientContext watch_context;
  Authorize(&watch_context, token_, 180);
  auto watch = b.Portal()->WatchActiveSessions(&watch_context, watch_request);
  Watcher watcher;
  ASSERT_TRUE(ReadUntil(*watch, watcher, [](const Watcher& w) { return w.synced(); }));

  const int64_t revision = Upsert(a, NewSession("from-a"));
  ASSERT_GT(revision, 0);
  EXPECT_EQ(ActiveOn(b, revision),
            (std::map<std::string, std::string>{{"from-a", "Session from-a"}}));
  EXPECT_EQ(ActiveOn(c, revision).count("from-a"), 1u);
  // The poll is 30 s: the stream gets it by NOTIFY, within the deadline.
  ASSERT_TRUE(ReadUntil(*watch, watcher,
                        [](const Watcher& w) { return w.sessions().count("from-a") > 0; }));
  EXPECT_GE(watcher.revision(), revision);
  // And the other way round, through C.
  const int64_t later = Upsert(c, NewSession("from-c"));
  EXPECT_GT(later, revision);
  EXPECT_EQ(ActiveOn(a, later).size(), 2u);
  watch_context.TryCancel();
}

TEST_F(ReplicaTest, Kill9OfAReplicaDuringIngestLosesNoAcknowledgedWrite) {
  std::vector<std::unique_ptr<Replica>> replicas = StartReplicas(2);
  Replica& a = *replicas[0];
  Replica& b = *replicas[1];
  absl::Mutex mu;
  std::vector<std::string> acknowledged;
  int64_t newest_revision = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 6; ++w) {
    writers.emplace_back([&, w] {
      auto stub = a.Ingest();
      for (int n = 0; !stop && n < 100000; ++n) {
        v1::UpsertSessionRequest request;
        *request.mutable_session() = NewSession(absl::StrCat("w", w, "-", n));
        grpc::ClientContext context;
        Authorize(&context, token_);
        v1::UpsertSessionResponse response;
        if (!stub->UpsertSession(&context, request, &response).ok()) return;  // A is gone
        absl::MutexLock lock(&mu);
        acknowledged.push_back(request.session().id());
        newest_revision = std::max(newest_revision, response.revision());
      }
    });
  }
  testutil::WaitUntil(
      [&] {
        absl::MutexLock lock(&mu);
        return acknowledged.size() >= 300;
      },
      absl::Seconds(180));
  a.Kill(SIGKILL);
  stop = true;
  for (std::thread& t : writers) t.join();
  absl::MutexLock lock(&mu);
  ASSERT_GE(acknowledged.size(), 300u);
  const std::map<std::string, std::string> on_b = ActiveOn(b, newest_revision);
  int missing = 0;
  for (const std::string& id : acknowledged) missing += on_b.count(id) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0) << "of " << acknowledged.size() << " acknowledged writes";
}

TEST_F(ReplicaTest, AWatcherResumesOnAnotherReplicaWithItsLastRevision) {
  std::vector<std::unique_ptr<Replica>> replicas = StartReplicas(2);
  Replica& a = *replicas[0];
  Replica& b = *replicas[1];
  int64_t early = 0;
  for (int i = 0; i < 5; ++i) {
    early = Upsert(b, NewSession(absl::StrCat("early-", i)));
    ASSERT_GT(early, 0);
  }
  // A learns of B's writes asynchronously (NOTIFY, or its poll): wait until
  // its view has them, so its snapshot holds all five.
  ASSERT_EQ(ActiveOn(a, early).size(), 5u);

  Watcher watcher;
  {
    portal::WatchActiveSessionsRequest request;
    request.set_account_id(kAccount);
    grpc::ClientContext context;
    Authorize(&context, token_, 180);
    auto stream = a.Portal()->WatchActiveSessions(&context, request);
    ASSERT_TRUE(ReadUntil(*stream, watcher, [](const Watcher& w) { return w.synced(); }));
    EXPECT_EQ(watcher.size(), 5u);
    // Changes while it watches, through both replicas; then A dies.
    ASSERT_GT(Upsert(a, NewSession("mid-a")), 0);
    ASSERT_TRUE(ReadUntil(*stream, watcher,
                          [](const Watcher& w) { return w.sessions().count("mid-a") > 0; }));
    a.Kill(SIGKILL);
    portal::WatchActiveSessionsResponse message;
    while (stream->Read(&message)) watcher.Apply(message);
    EXPECT_FALSE(stream->Finish().ok());
  }
  // Written while the watcher is disconnected (the server stamps
  // date_last_modified: these replace the earlier versions).
  SessionInfo renamed = NewSession("early-0");
  renamed.set_display_name("renamed while away");
  ASSERT_GT(Upsert(b, renamed), 0);
  SessionInfo ended = NewSession("early-1");
  ended.set_ended(true);
  ASSERT_GT(Upsert(b, ended), 0);
  const int64_t last = Upsert(b, NewSession("while-away"));
  ASSERT_GT(last, 0);

  portal::WatchActiveSessionsRequest resume;
  resume.set_account_id(kAccount);
  resume.set_start_revision(watcher.resume_revision());
  grpc::ClientContext context;
  Authorize(&context, token_, 180);
  auto stream = b.Portal()->WatchActiveSessions(&context, resume);
  ASSERT_TRUE(ReadUntil(*stream, watcher, [&](const Watcher& w) { return w.revision() >= last; }));
  const std::map<std::string, std::string> seen = watcher.DisplayNames();
  EXPECT_EQ(seen, ActiveOn(b, last));
  EXPECT_EQ(seen.count("early-1"), 0u);
  EXPECT_EQ(seen.at("early-0"), "renamed while away");
  EXPECT_EQ(seen.count("while-away"), 1u);
  context.TryCancel();
}

// Runs sessionsctl with `args` (its output to `out_file`); its exit code.
int RunSessionsctl(const std::vector<std::string>& args, const std::string& out_file) {
  std::vector<std::string> argv = {Runfile("tools/sessionsctl")};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = Spawn(std::move(argv), out_file);
  if (pid < 0) return -1;
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The admin CLI on the replicas' database: a token it creates works on a
// replica at once, its export sees what a replica wrote, and its revocation
// of a token the replica has cached reaches the replica by NOTIFY (the
// cache's ttl here is an hour).
TEST_F(ReplicaTest, SessionsctlManagesTheReplicasDatabase) {
  Replica replica("ctl", dsn_file_);
  ASSERT_GT(replica.Wait(), 0);
  ASSERT_GT(Upsert(replica, NewSession("written-by-a-replica")), 0);
  const std::vector<std::string> store = {"--store=postgres", "--postgres_dsn_file=" + dsn_file_};
  auto with_store = [&](std::vector<std::string> args) {
    args.insert(args.begin(), store.begin(), store.end());
    return args;
  };
  const std::string out = TempPath("ctl.out");
  ASSERT_EQ(RunSessionsctl(with_store({"token", "create", "--account=" + std::string(kAccount),
                                       "--scopes=sessions:read", "--name=ctl", "--quiet"}),
                           out),
            0);
  std::string secret = ReadFile(out);
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  ASSERT_EQ(secret.rfind("ast_", 0), 0u) << secret;
  token_ = secret;  // reads below use the CLI's token
  EXPECT_EQ(ActiveOn(replica, 0).count("written-by-a-replica"), 1u);

  ASSERT_EQ(RunSessionsctl(with_store({"export", "--output=" + TempPath("export.json")}), out), 0);
  EXPECT_NE(ReadFile(TempPath("export.json")).find("written-by-a-replica"), std::string::npos);

  ASSERT_EQ(RunSessionsctl(with_store({"token", "list"}), out), 0);
  const std::string listing = ReadFile(out);
  const size_t ctl_line = listing.find("ctl");
  ASSERT_NE(ctl_line, std::string::npos) << listing;
  const size_t id_at = listing.rfind("tok_", ctl_line);
  ASSERT_NE(id_at, std::string::npos) << listing;
  const std::string id = listing.substr(id_at, 20);
  auto read_status = [&] {
    portal::GetActiveSessionsRequest request;
    request.set_account_id(kAccount);
    grpc::ClientContext context;
    Authorize(&context, token_);
    portal::GetActiveSessionsResponse response;
    return replica.Portal()->GetActiveSessions(&context, request, &response).error_code();
  };
  ASSERT_EQ(read_status(), grpc::StatusCode::OK);  // and now cached
  ASSERT_EQ(RunSessionsctl(with_store({"token", "revoke", id}), out), 0);
  EXPECT_TRUE(testutil::WaitUntil(
      [&] { return read_status() == grpc::StatusCode::UNAUTHENTICATED; }, absl::Seconds(30)));
}

// Readiness follows the database: NOT_SERVING while it is down (the live
// view would go stale; the pod leaves the Service), SERVING once it is back,
// with no restart of the process.
TEST_F(ReplicaTest, AReplicaIsNotReadyWhileItsDatabaseIsDown) {
  Replica replica("alone", dsn_file_, "250ms");
  ASSERT_GT(replica.Wait(), 0);
  using grpc::health::v1::HealthCheckResponse;
  EXPECT_EQ(replica.Health(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(server_->Crash().ok());
  EXPECT_TRUE(testutil::WaitUntil(
      [&] { return replica.Health() == HealthCheckResponse::NOT_SERVING; }, absl::Seconds(60)));
  ASSERT_TRUE(server_->Resume().ok());
  EXPECT_TRUE(testutil::WaitUntil([&] { return replica.Health() == HealthCheckResponse::SERVING; },
                                  absl::Seconds(60)));
  EXPECT_GT(Upsert(replica, NewSession("after-the-outage")), 0);
}

}  // namespace
}  // namespace sessions::testing
