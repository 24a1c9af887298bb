// Write-side tests of SqliteSessionStore: upsert rules, UpdateSession,
// async API, group commit under concurrency (the customer directory:
// sqlite_customer_directory_test.cc).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testutil::Ids;
using testutil::MakeSession;
using testutil::NewDatabasePath;

class SqliteSessionStoreWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteSessionStore::Open(NewDatabasePath("write"), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::vector<std::string> Active(const std::string& account, const std::string& customer = "") {
    ActiveSessionsQuery query;
    query.account_id = account;
    query.customer_id = customer;
    google::protobuf::RepeatedPtrField<SessionInfo> out;
    EXPECT_TRUE(store_->ListActiveSessions(query, &out).ok());
    return Ids(out);
  }

  // Blocks the writer thread (with an UpdateSessionAsync whose mutate waits)
  // until the returned notification fires.
  std::shared_ptr<absl::Notification> BlockWriter() {
    EXPECT_TRUE(store_->UpsertSessions({MakeSession("blk", "blk", 0)}).ok());
    auto release = std::make_shared<absl::Notification>();
    auto started = std::make_shared<absl::Notification>();
    store_->UpdateSessionAsync(
        "blk", "blk",
        [release, started](SessionInfo*) {
          started->Notify();
          release->WaitForNotification();
          return absl::OkStatus();
        },
        [](absl::StatusOr<int64_t>) {});
    started->WaitForNotification();
    return release;
  }

  std::unique_ptr<SqliteSessionStore> store_;
};

TEST_F(SqliteSessionStoreWriteTest, SameUpsertTwiceIsOneSession) {
  SessionInfo s = MakeSession("a", "s1", 1, "c1");
  ASSERT_EQ(store_->UpsertSessions({s})->applied, 1);
  auto again = store_->UpsertSessions({s});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied, 1);
  EXPECT_EQ(again->stale, 0);
  EXPECT_THAT(Active("a"), ElementsAre("s1"));
  EXPECT_THAT(Active("a", "c1"), ElementsAre("s1"));
}

TEST_F(SqliteSessionStoreWriteTest, OlderModificationIsStale) {
  SessionInfo s = MakeSession("a", "s1", 1);
  s.set_date_last_modified("2026-11-25T12:00:00+02:00");  // 10:00Z
  s.set_display_name("new");
  ASSERT_EQ(store_->UpsertSessions({s})->applied, 1);

  SessionInfo older = s;
  older.set_date_last_modified("2026-11-25T09:59:59.999Z");
  older.set_display_name("old");
  auto result = store_->UpsertSessions({older});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->applied, 0);
  EXPECT_EQ(result->stale, 1);
  EXPECT_EQ(store_->GetSession("a", "s1")->display_name(), "new");

  // Equal instant written differently: not stale (string order would say
  // "2026-11-25T10:00:00Z" < "2026-11-25T12:00:00+02:00").
  SessionInfo equal = s;
  equal.set_date_last_modified("2026-11-25T10:00:00Z");
  equal.set_display_name("equal");
  EXPECT_EQ(store_->UpsertSessions({equal})->applied, 1);
  EXPECT_EQ(store_->GetSession("a", "s1")->display_name(), "equal");
}

// An update that keeps date_created and `ended` rewrites only the row; one
// that changes them must move the session in the active index too.
TEST_F(SqliteSessionStoreWriteTest, NewCreationDateMovesSessionInActiveListing) {
  ASSERT_EQ(store_->UpsertSessions({MakeSession("a", "s1", 1), MakeSession("a", "s2", 2)})->applied,
            2);
  SessionInfo same_keys = MakeSession("a", "s1", 1);
  same_keys.set_date_last_modified("2026-11-25T11:00:00Z");
  same_keys.set_display_name("renamed");
  ASSERT_EQ(store_->UpsertSessions({same_keys})->applied, 1);
  EXPECT_EQ(store_->GetSession("a", "s1")->display_name(), "renamed");
  EXPECT_THAT(Active("a"), ElementsAre("s1", "s2"));

  SessionInfo later = same_keys;
  later.set_date_created("2026-11-25T10:03:00Z");
  later.set_date_last_modified("2026-11-25T11:01:00Z");
  ASSERT_EQ(store_->UpsertSessions({later})->applied, 1);
  EXPECT_THAT(Active("a"), ElementsAre("s2", "s1"));

  ActiveSessionsQuery since;
  since.account_id = "a";
  since.created_at_or_after = absl::FromUnixSeconds(1795600950);  // 10:02:30Z
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE(store_->ListActiveSessions(since, &out).ok());
  EXPECT_THAT(Ids(out), ElementsAre("s1"));

  // A stale write with the old keys changes nothing.
  EXPECT_EQ(store_->UpsertSessions({same_keys})->stale, 1);
  EXPECT_THAT(Active("a"), ElementsAre("s2", "s1"));
}

TEST_F(SqliteSessionStoreWriteTest, BatchCountsAppliedAndStale) {
  SessionInfo newer = MakeSession("a", "s1", 5);
  SessionInfo older = MakeSession("a", "s1", 1);  // modified earlier
  auto result = store_->UpsertSessions({newer, older, MakeSession("a", "s2", 2)});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->applied, 2);
  EXPECT_EQ(result->stale, 1);
}

TEST_F(SqliteSessionStoreWriteTest, InvalidSessionFailsWholeBatch) {
  SessionInfo bad = MakeSession("a", "s2", 2);
  bad.set_date_created("last tuesday");
  auto result = store_->UpsertSessions({MakeSession("a", "s1", 1), bad});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("sessions[1].date_created"));
  EXPECT_THAT(Active("a"), IsEmpty());
}

TEST_F(SqliteSessionStoreWriteTest, EndingRemovesFromActiveAndCustomerListings) {
  SessionInfo s = MakeSession("a", "s1", 1, "leaf", {"root"});
  ASSERT_TRUE(store_->UpsertSessions({s}).ok());
  EXPECT_THAT(Active("a", "root"), ElementsAre("s1"));
  ASSERT_TRUE(store_
                  ->UpdateSession("a", "s1",
                                  [](SessionInfo* session) {
                                    session->set_ended(true);
                                    return absl::OkStatus();
                                  })
                  .ok());
  EXPECT_THAT(Active("a"), IsEmpty());
  EXPECT_THAT(Active("a", "root"), IsEmpty());
  EXPECT_THAT(Active("a", "leaf"), IsEmpty());
  EXPECT_TRUE(store_->GetSession("a", "s1")->ended());
}

TEST_F(SqliteSessionStoreWriteTest, MovingCustomerUpdatesCustomerListing) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, "c1", {"root"})}).ok());
  SessionInfo moved = MakeSession("a", "s1", 1, "c2", {"root"});
  moved.set_date_last_modified("2026-11-25T11:00:00Z");
  ASSERT_TRUE(store_->UpsertSessions({moved}).ok());
  EXPECT_THAT(Active("a", "c1"), IsEmpty());
  EXPECT_THAT(Active("a", "c2"), ElementsAre("s1"));
  EXPECT_THAT(Active("a", "root"), ElementsAre("s1"));
}

TEST_F(SqliteSessionStoreWriteTest, UpdateSessionErrors) {
  EXPECT_EQ(store_->UpdateSession("a", "missing", [](SessionInfo*) { return absl::OkStatus(); })
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1)}).ok());
  EXPECT_EQ(store_
                ->UpdateSession("a", "s1",
                                [](SessionInfo* s) {
                                  s->set_id("other");
                                  return absl::OkStatus();
                                })
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetSession("a", "s1")->id(), "s1");
}

TEST_F(SqliteSessionStoreWriteTest, MutateErrorRollsBackOnlyThatWrite) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1), MakeSession("a", "s2", 2)}).ok());
  std::shared_ptr<absl::Notification> release = BlockWriter();
  const int64_t commits = store_->stats().commits;
  absl::Status ok1, failed, ok2;
  absl::Notification done;
  auto rename = [](const std::string& name) {
    return [name](SessionInfo* s) {
      s->set_display_name(name);
      return absl::OkStatus();
    };
  };
  store_->UpdateSessionAsync("a", "s1", rename("one"),
                             [&](absl::StatusOr<int64_t> s) { ok1 = s.status(); });
  store_->UpdateSessionAsync(
      "a", "s2",
      [](SessionInfo* s) {
        s->set_display_name("half-written");
        return absl::FailedPreconditionError("refused");
      },
      [&](absl::StatusOr<int64_t> s) { failed = s.status(); });
  store_->UpdateSessionAsync("a", "s2", rename("two"), [&](absl::StatusOr<int64_t> s) {
    ok2 = s.status();
    done.Notify();
  });
  release->Notify();
  done.WaitForNotification();
  EXPECT_TRUE(ok1.ok());
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ok2.ok());
  EXPECT_EQ(store_->GetSession("a", "s1")->display_name(), "one");
  EXPECT_EQ(store_->GetSession("a", "s2")->display_name(), "two");
  EXPECT_EQ(store_->stats().commits, commits + 2);  // blocker, then one group
}

TEST_F(SqliteSessionStoreWriteTest, AsyncUpsertReportsResultAfterCommit) {
  absl::Notification done;
  absl::StatusOr<UpsertResult> result;
  store_->UpsertSessionsAsync({MakeSession("a", "s1", 1)}, {}, [&](absl::StatusOr<UpsertResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->applied, 1);
  EXPECT_THAT(Active("a"), ElementsAre("s1"));  // visible once acknowledged
}

// The check runs inside the write's transaction: it sees what the writes
// queued before it made of the session (not what was stored when the write
// was submitted), and its refusal leaves the whole batch unwritten.
TEST_F(SqliteSessionStoreWriteTest, StoredCheckSeesTheVersionItReplaces) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, "hq", {"root"})}).ok());
  std::shared_ptr<absl::Notification> release = BlockWriter();
  // Queued first: another writer moves s1 to a sibling customer.
  SessionInfo moved = MakeSession("a", "s1", 1, "sales", {"root"});
  moved.set_date_last_modified("2026-11-25T11:00:00Z");
  absl::StatusOr<UpsertResult> move_result, guarded_result;
  store_->UpsertSessionsAsync({moved}, {},
                              [&](absl::StatusOr<UpsertResult> r) { move_result = std::move(r); });
  // Queued second: a write allowed only over sessions of "hq".
  std::vector<std::string> checked;
  SessionInfo fresh = MakeSession("a", "s2", 2, "hq", {"root"});
  SessionInfo back = MakeSession("a", "s1", 1, "hq", {"root"});
  back.set_date_last_modified("2026-11-25T12:00:00Z");
  absl::Notification done;
  SessionStore::UpsertAuthority only_hq;
  only_hq.check_stored = [&checked](const SessionInfo& stored) {
    checked.push_back(stored.id());
    return stored.customer_id() == "hq" ? absl::OkStatus()
                                        : absl::PermissionDeniedError("not yours");
  };
  store_->UpsertSessionsAsync({fresh, back}, only_hq, [&](absl::StatusOr<UpsertResult> r) {
    guarded_result = std::move(r);
    done.Notify();
  });
  release->Notify();
  done.WaitForNotification();
  ASSERT_TRUE(move_result.ok()) << move_result.status();
  EXPECT_EQ(guarded_result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(checked, ElementsAre("s1"));  // s2 did not exist: nothing to check
  EXPECT_EQ(store_->GetSession("a", "s2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSession("a", "s1")->customer_id(), "sales");
}

TEST_F(SqliteSessionStoreWriteTest, ConcurrentWritersShareCommits) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::shared_ptr<absl::Notification> release = BlockWriter();
  const WriterStats before = store_->stats();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        SessionInfo s = MakeSession("a", "t" + std::to_string(t) + "-" + std::to_string(i), i);
        auto result = store_->UpsertSessions({s});
        EXPECT_TRUE(result.ok() && result->applied == 1);
      }
    });
  }
  // Wait (without sleeping) until every thread has a write queued, so the
  // first group after the release holds all of them.
  while (store_->stats().queued < kThreads) std::this_thread::yield();
  release->Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Active("a").size(), kThreads * kPerThread);
  const WriterStats after = store_->stats();
  EXPECT_EQ(after.ops - before.ops, kThreads * kPerThread + 1);
  // Each blocked caller has one write in flight; more than one of them
  // queued up while the writer was blocked, so commits < writes.
  EXPECT_LT(after.commits - before.commits, after.ops - before.ops);
  EXPECT_GE(after.max_batch, kThreads);
}

TEST_F(SqliteSessionStoreWriteTest, ReadersRunWhileWriterIsBusy) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1)}).ok());
  std::shared_ptr<absl::Notification> release = BlockWriter();  // holds the write txn
  EXPECT_THAT(Active("a"), ElementsAre("s1"));
  release->Notify();
}

TEST(SqliteSessionStoreDurabilityTest, AcknowledgedWritesSurviveKill9) {
  const std::string path = NewDatabasePath("kill9");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: acknowledge writes, then die without any cleanup.
    auto store = SqliteSessionStore::Open(path, {});
    if (!store.ok()) _exit(1);
    for (int i = 0; i < 20; ++i) {
      if (!(*store)->UpsertSessions({MakeSession("a", "s" + std::to_string(i), i)}).ok()) _exit(2);
    }
    kill(getpid(), SIGKILL);
    _exit(3);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  ASSERT_EQ(WTERMSIG(wstatus), SIGKILL);

  auto store = SqliteSessionStore::Open(path, {});
  ASSERT_TRUE(store.ok()) << store.status();
  ActiveSessionsQuery query;
  query.account_id = "a";
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE((*store)->ListActiveSessions(query, &out).ok());
  EXPECT_EQ(out.size(), 20);
}

}  // namespace
}  // namespace sessions
