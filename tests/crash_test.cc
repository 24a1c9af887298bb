// Durability under kill -9: writers stream upserts to the real server
// binary, which is SIGKILLed at a random moment (after a random number of
// acknowledged writes), then restarted on the same file. Every write that
// was acknowledged before the kill must be present, and the database must
// pass PRAGMA integrity_check. Several rounds on one file.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "service/auth/token_issuer.h"
#include "service/principal.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/sqlite/sqlite_token_store.h"
#include "storage/testing/test_util.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

extern char** environ;

namespace sessions::testing {
namespace {

namespace v1 = ::voice::api::sessions::v1;

std::string Runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/", std::getenv("TEST_WORKSPACE"), "/", path);
}

// Starts the server binary on a free port; returns its pid and port.
pid_t StartServer(const std::string& db, const std::string& out_file, int* port) {
  std::vector<std::string> args = {Runfile("server/sessions_server"), "--grpc_address=127.0.0.1:0",
                                   "--http_address=", "--log_level=warn", "--db_path=" + db};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  *port = 0;
  testutil::WaitUntil(
      [&] {
        std::ifstream in(out_file);
        std::string line;
        while (std::getline(in, line)) std::sscanf(line.c_str(), "READY grpc_port=%d", port);
        return *port != 0;
      },
      absl::Seconds(120));
  return pid;
}

std::string CreateWriterToken(const std::string& db) {
  auto tokens = SqliteTokenStore::Open(db, {});
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  TokenRecord record;
  record.account_id = "acct-crash";
  record.name = "crash-test";
  record.scopes = static_cast<uint32_t>(Scope::kSessionsWrite);
  record.created_at = absl::Now();
  absl::StatusOr<auth::IssuedToken> issued = auth::IssueToken(tokens->get(), record);
  EXPECT_TRUE(issued.ok()) << issued.status();
  return issued.ok() ? issued->secret : "";
}

TEST(CrashTest, AcknowledgedWritesSurviveKill9) {
  const std::string db = absl::StrCat(std::getenv("TEST_TMPDIR"), "/crash.db");
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/server.out");
  const std::string token = CreateWriterToken(db);
  const unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::printf("crash test seed %u\n", seed);

  absl::Mutex mu;
  std::vector<std::string> acknowledged;
  constexpr int kRounds = 4;
  constexpr int kWriters = 8;
  for (int round = 0; round < kRounds; ++round) {
    int port = 0;
    const pid_t pid = StartServer(db, out, &port);
    ASSERT_GT(port, 0) << "server did not start";
    const size_t kill_after = std::uniform_int_distribution<size_t>(20, 400)(random);
    std::atomic<size_t> acked_this_round{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        auto stub = v1::SessionIngestService::NewStub(grpc::CreateChannel(
            absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
        for (int n = 0; !stop && n < 100000; ++n) {
          v1::UpsertSessionRequest request;
          SessionInfo* s = request.mutable_session();
          s->set_id(absl::StrCat("r", round, "-w", w, "-", n));
          s->set_date_created("2026-11-25T10:00:00Z");
          s->set_display_name(std::string(200, 'x'));
          grpc::ClientContext context;
          context.AddMetadata("authorization", "Bearer " + token);
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
          v1::UpsertSessionResponse response;
          if (!stub->UpsertSession(&context, request, &response).ok()) return;  // server gone
          absl::MutexLock lock(&mu);
          acknowledged.push_back(s->id());
          ++acked_this_round;
        }
      });
    }
    // Bounds for a slow machine under ASan; an unloaded one needs well under a second.
    testutil::WaitUntil([&] { return acked_this_round >= kill_after; }, absl::Seconds(180));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    stop = true;
    for (auto& t : writers) t.join();
    EXPECT_GE(acked_this_round.load(), kill_after) << "round " << round;

    {
      SQLite::Database check(db, SQLite::OPEN_READONLY);
      EXPECT_EQ(check.execAndGet("PRAGMA integrity_check").getString(), "ok");
    }
    auto store = SqliteSessionStore::Open(db, {});
    ASSERT_TRUE(store.ok()) << store.status();
    absl::MutexLock lock(&mu);
    int missing = 0;
    for (const std::string& id : acknowledged) {
      if (!(*store)->GetSession("acct-crash", id).ok()) ++missing;
    }
    EXPECT_EQ(missing, 0) << "acknowledged writes lost after kill -9 in round " << round
                          << " (seed " << seed << ")";
    std::printf("round %d: killed after %zu acks, %zu acknowledged in total, all present\n", round,
                acked_this_round.load(), acknowledged.size());
  }
}

}  // namespace
}  // namespace sessions::testing
