// Power loss and a full disk, through storage/testing/crash_vfs.h: the
// store runs on a VFS that keeps unsynced writes in memory, a "power cut"
// at a random moment of concurrent writing discards them, and the file is
// reopened as after a reboot. Every write acknowledged before the cut must
// be there and the database must pass integrity_check, round after round on
// the same file. A full disk fails writes with RESOURCE_EXHAUSTED, and I/O
// errors (EIO) with UNAVAILABLE, while reads go on; writing resumes when
// the fault clears, with nothing acknowledged lost.
#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/crash_vfs.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using testutil::CrashVfs;
using testutil::MakeSession;

SqliteStoreOptions OnCrashVfs() {
  SqliteStoreOptions options;
  options.vfs = CrashVfs::kName;
  // Checkpoints (database-file writes, WAL restarts) happen within a round.
  options.checkpoints.start_pages = 20;
  options.checkpoints.hard_limit_pages = 80;
  options.retention.purge_interval = absl::ZeroDuration();
  return options;
}

std::string IntegrityCheck(const std::string& path) {
  auto conn = SqliteConnection::Open(path, {});
  if (!conn.ok()) return std::string(conn.status().message());
  return (*conn)->db().execAndGet("PRAGMA integrity_check").getString();
}

TEST(PowerLossTest, AcknowledgedWritesSurviveCutsAtRandomMoments) {
  CrashVfs& vfs = CrashVfs::Install();
  const std::string path = testutil::NewDatabasePath("power-loss");
  std::mt19937 random(20261202);
  std::vector<std::string> acknowledged;  // every round's, checked after every cut
  constexpr int kRounds = 12;
  constexpr int kWriters = 4;
  for (int round = 0; round < kRounds; ++round) {
    auto opened = SqliteSessionStore::Open(path, OnCrashVfs());
    ASSERT_TRUE(opened.ok()) << "round " << round << ": " << opened.status();
    std::unique_ptr<SqliteSessionStore> store = *std::move(opened);

    absl::Mutex mu;
    std::vector<std::string> acked_this_round;
    std::atomic<bool> cut{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; !cut; ++i) {
          // Single upserts and small batches, as the ingest API sends them.
          std::vector<SessionInfo> batch;
          for (int k = 0; k < 1 + i % 3; ++k) {
            batch.push_back(MakeSession("acct", absl::StrCat("r", round, "-w", w, "-", i, "-", k),
                                        i % 60, "leaf", {"root"}));
          }
          if (!store->UpsertSessions(batch).ok()) return;  // after the cut
          absl::MutexLock lock(&mu);
          for (const SessionInfo& s : batch) acked_this_round.push_back(s.id());
        }
      });
    }
    const size_t cut_after = 20 + random() % 400;
    ASSERT_TRUE(testutil::WaitUntil(
        [&] {
          absl::MutexLock lock(&mu);
          return acked_this_round.size() >= cut_after;
        },
        absl::Seconds(120)))
        << "round " << round << ": writers stalled";
    // The power cut: nothing more reaches the disk. Every other round it
    // falls in the middle of a commit (frames written, not yet synced), so
    // some cuts certainly lose unacknowledged writes; the others fall
    // wherever the writers are.
    if (round % 2 == 0) {
      vfs.CrashAtNextSync();
      ASSERT_TRUE(testutil::WaitUntil([&] { return vfs.has_crashed(); }, absl::Seconds(120)))
          << "round " << round << ": no commit reached its sync";
    } else {
      vfs.Crash();
    }
    cut = true;
    for (std::thread& writer : writers) writer.join();
    store.reset();  // what the dying process manages to do changes nothing
    vfs.Reset();    // the reboot
    {
      absl::MutexLock lock(&mu);
      acknowledged.insert(acknowledged.end(), acked_this_round.begin(), acked_this_round.end());
    }

    ASSERT_EQ(IntegrityCheck(path), "ok") << "round " << round;
    auto reopened = SqliteSessionStore::Open(path, {});
    ASSERT_TRUE(reopened.ok()) << "round " << round << ": " << reopened.status();
    int missing = 0;
    for (const std::string& id : acknowledged) {
      if (!(*reopened)->GetSession("acct", id).ok()) ++missing;
    }
    EXPECT_EQ(missing, 0) << "round " << round << ": acknowledged writes lost, of "
                          << acknowledged.size();
  }
  std::printf(
      "power loss: %d rounds, %zu acknowledged writes kept, %lld unsynced writes "
      "discarded by the cuts, %lld syncs\n",
      kRounds, acknowledged.size(), static_cast<long long>(vfs.lost_writes()),
      static_cast<long long>(vfs.syncs()));
  // The cuts really cut something: writes were in flight, unsynced.
  EXPECT_GT(vfs.lost_writes(), 0);
  EXPECT_GT(vfs.syncs(), kRounds);
}

// A fault that refuses writes (a full disk, EIO on write and fsync): each
// write fails with `code` saying `says`, write after write, while reads
// answer; once it clears writes succeed, and a reopen holds every
// acknowledged write and none of the refused ones.
struct WriteFault {
  CrashVfs::Fault fault;
  absl::StatusCode code;
  const char* says;
};

class WriteFaultTest : public ::testing::TestWithParam<WriteFault> {};

TEST_P(WriteFaultTest, FailsWritesClearlyKeepsReadsAndRecovers) {
  const WriteFault& param = GetParam();
  CrashVfs& vfs = CrashVfs::Install();
  const std::string path = testutil::NewDatabasePath("write-fault");
  auto opened = SqliteSessionStore::Open(path, OnCrashVfs());
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<SqliteSessionStore> store = *std::move(opened);
  ASSERT_TRUE(store->UpsertSessions({MakeSession("acct", "before", 1)}).ok());

  vfs.SetFault(param.fault);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<UpsertResult> refused =
        store->UpsertSessions({MakeSession("acct", absl::StrCat("during-", i), 2)});
    EXPECT_EQ(refused.status().code(), param.code) << refused.status();
    EXPECT_NE(refused.status().message().find(param.says), std::string::npos) << refused.status();
    EXPECT_EQ(refused.status().message().find(path), std::string::npos) << "leaks the path";
  }
  EXPECT_TRUE(store->GetSession("acct", "before").ok());
  ActiveSessionsQuery query;
  query.account_id = "acct";
  google::protobuf::RepeatedPtrField<SessionInfo> active;
  ASSERT_TRUE(store->ListActiveSessions(query, &active).ok());
  EXPECT_EQ(testutil::Ids(active), std::vector<std::string>{"before"});

  vfs.SetFault(CrashVfs::Fault::kNone);  // space returns, the device recovers
  ASSERT_TRUE(store->UpsertSessions({MakeSession("acct", "after", 3)}).ok());
  store.reset();
  vfs.Reset();
  auto reopened = SqliteSessionStore::Open(path, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->GetSession("acct", "before").ok());
  EXPECT_TRUE((*reopened)->GetSession("acct", "after").ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*reopened)->GetSession("acct", absl::StrCat("during-", i)).status().code(),
              absl::StatusCode::kNotFound);
  }
  EXPECT_EQ(IntegrityCheck(path), "ok");
}

INSTANTIATE_TEST_SUITE_P(Faults, WriteFaultTest,
                         ::testing::Values(WriteFault{CrashVfs::Fault::kDiskFull,
                                                      absl::StatusCode::kResourceExhausted,
                                                      "disk is full"},
                                           WriteFault{CrashVfs::Fault::kWriteError,
                                                      absl::StatusCode::kUnavailable, "I/O error"}),
                         [](const ::testing::TestParamInfo<WriteFault>& info) {
                           return info.param.fault == CrashVfs::Fault::kDiskFull ? "DiskFull"
                                                                                 : "WriteIoError";
                         });

TEST(PowerLossTest, ReadIoErrorsAreAClearErrorAndReadsRecoverOnceTheyStop) {
  CrashVfs& vfs = CrashVfs::Install();
  const std::string path = testutil::NewDatabasePath("eio-read");
  {
    auto opened = SqliteSessionStore::Open(path, OnCrashVfs());
    ASSERT_TRUE(opened.ok()) << opened.status();
    ASSERT_TRUE((*opened)->UpsertSessions({MakeSession("acct", "kept", 1)}).ok());
  }
  auto opened = SqliteSessionStore::Open(path, OnCrashVfs());
  ASSERT_TRUE(opened.ok()) << opened.status();
  std::unique_ptr<SqliteSessionStore> store = *std::move(opened);

  vfs.SetFault(CrashVfs::Fault::kReadError);
  absl::StatusOr<SessionInfo> refused = store->GetSession("acct", "kept");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_NE(refused.status().message().find("I/O error"), std::string::npos) << refused.status();
  EXPECT_EQ(refused.status().message().find(path), std::string::npos) << "leaks the path";
  // Opening at start-up fails too, telling the operator which file.
  absl::StatusOr<std::unique_ptr<SqliteSessionStore>> unopenable =
      SqliteSessionStore::Open(path, OnCrashVfs());
  ASSERT_FALSE(unopenable.ok());
  EXPECT_NE(unopenable.status().message().find("disk I/O error"), std::string::npos)
      << unopenable.status();

  vfs.SetFault(CrashVfs::Fault::kNone);
  EXPECT_TRUE(store->GetSession("acct", "kept").ok());
  ASSERT_TRUE(store->UpsertSessions({MakeSession("acct", "later", 2)}).ok());
  store.reset();
  vfs.Reset();
  auto reopened = SqliteSessionStore::Open(path, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->GetSession("acct", "kept").ok());
  EXPECT_TRUE((*reopened)->GetSession("acct", "later").ok());
  EXPECT_EQ(IntegrityCheck(path), "ok");
}

}  // namespace
}  // namespace sessions
