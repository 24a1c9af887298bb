#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/sqlite/sqlite_transactions.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

ConnectionOptions ReadOnly() {
  ConnectionOptions options;
  options.read_only = true;
  return options;
}

class GroupCommitWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testutil::NewDatabasePath("writer");
    auto conn = SqliteConnection::Open(path_, {});
    ASSERT_TRUE(conn.ok()) << conn.status();
    (*conn)->db().exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)");
    writer_ = std::make_unique<SqliteGroupCommitWriter>(SqliteTransactions(*std::move(conn)), 64);
  }

  static SqliteGroupCommitWriter::Op Insert(const std::string& key) {
    return [key](SqliteConnection& c) {
      SQLite::Statement& s = c.Prepare("INSERT INTO t (k, v) VALUES (?1, 1)");
      s.bind(1, key);
      s.exec();
      return absl::OkStatus();
    };
  }

  int Count() {
    auto conn = SqliteConnection::Open(path_, ReadOnly());
    return conn.ok() ? (*conn)->db().execAndGet("SELECT count(*) FROM t").getInt() : -1;
  }

  // Queues an op that blocks the writer thread until the returned
  // notification is notified; returns once the writer is blocked.
  std::shared_ptr<absl::Notification> BlockWriter() {
    auto release = std::make_shared<absl::Notification>();
    auto started = std::make_shared<absl::Notification>();
    writer_->Submit(
        [release, started](SqliteConnection&) {
          started->Notify();
          release->WaitForNotification();
          return absl::OkStatus();
        },
        [](absl::Status) {});
    started->WaitForNotification();
    return release;
  }

  std::string path_;
  std::unique_ptr<SqliteGroupCommitWriter> writer_;
};

TEST_F(GroupCommitWriterTest, RunsAndCommits) {
  EXPECT_TRUE(writer_->Run(Insert("a")).ok());
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ(writer_->stats().commits, 1);
}

TEST_F(GroupCommitWriterTest, QueuedOpsShareOneCommit) {
  std::shared_ptr<absl::Notification> release = BlockWriter();
  const int64_t commits_before = writer_->stats().commits;
  std::vector<absl::Status> results(10, absl::UnknownError("not run"));
  absl::Notification all_done;
  int remaining = 10;
  absl::Mutex mu;
  for (int i = 0; i < 10; ++i) {
    writer_->Submit(Insert("k" + std::to_string(i)), [&, i](absl::Status s) {
      results[i] = s;
      bool last;
      {
        absl::MutexLock lock(&mu);
        last = --remaining == 0;
      }
      // Outside the lock: the test may destroy `mu` once notified.
      if (last) all_done.Notify();
    });
  }
  release->Notify();
  all_done.WaitForNotification();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(Count(), 10);
  // The blocking op's batch, then one batch of ten.
  EXPECT_EQ(writer_->stats().commits, commits_before + 2);
  EXPECT_EQ(writer_->stats().max_batch, 10);
}

TEST_F(GroupCommitWriterTest, FailingOpRollsBackOnlyItself) {
  std::shared_ptr<absl::Notification> release = BlockWriter();
  absl::Status first, failing, throwing, last;
  absl::Notification done;
  writer_->Submit(Insert("a"), [&](absl::Status s) { first = s; });
  writer_->Submit(
      [](SqliteConnection& c) {
        c.Prepare("INSERT INTO t (k, v) VALUES ('doomed', 1)").exec();
        return absl::NotFoundError("no");
      },
      [&](absl::Status s) { failing = s; });
  writer_->Submit(Insert("a"), [&](absl::Status s) { throwing = s; });  // duplicate key
  writer_->Submit(Insert("b"), [&](absl::Status s) {
    last = s;
    done.Notify();
  });
  release->Notify();
  done.WaitForNotification();
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(failing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(throwing.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(last.ok());
  EXPECT_EQ(Count(), 2);
}

// Completions (gRPC responses, in the server) run on their own thread: a
// slow one delays later completions, never later commits.
TEST_F(GroupCommitWriterTest, SlowCompletionDoesNotHoldUpTheWriter) {
  absl::Notification release_first;
  absl::Notification first_done;
  absl::Notification second_done;
  std::vector<std::string> order;  // written by the completion thread only
  writer_->Submit(Insert("a"), [&](absl::Status status) {
    EXPECT_TRUE(status.ok()) << status;
    release_first.WaitForNotification();
    order.push_back("a");
    first_done.Notify();
  });
  writer_->Submit(Insert("b"), [&](absl::Status status) {
    EXPECT_TRUE(status.ok()) << status;
    order.push_back("b");
    second_done.Notify();
  });
  // "b" commits while "a"'s completion is still blocked.
  testutil::WaitUntil([&] { return Count() >= 2; }, absl::Seconds(30));
  EXPECT_EQ(Count(), 2);
  EXPECT_FALSE(second_done.HasBeenNotified());  // completions keep commit order

  release_first.Notify();
  ASSERT_TRUE(second_done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b"}));
}

TEST_F(GroupCommitWriterTest, FullQueueRefusesAtOnceAndWritesNothing) {
  auto conn = SqliteConnection::Open(path_, {});
  ASSERT_TRUE(conn.ok()) << conn.status();
  writer_ = std::make_unique<SqliteGroupCommitWriter>(SqliteTransactions(*std::move(conn)), 64,
                                                      /*max_queued=*/2);
  std::shared_ptr<absl::Notification> release = BlockWriter();
  std::vector<absl::Status> results(3, absl::UnknownError("not done"));
  absl::Notification queued_done;
  writer_->Submit(Insert("q1"), [&](absl::Status s) { results[0] = s; });
  writer_->Submit(Insert("q2"), [&](absl::Status s) {
    results[1] = s;
    queued_done.Notify();
  });
  writer_->Submit(Insert("refused"), [&](absl::Status s) { results[2] = s; });
  // Refused inline, before the writer moved.
  EXPECT_EQ(results[2].code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(results[2].message().find("retry"), std::string::npos);
  EXPECT_EQ(writer_->stats().refused, 1);
  release->Notify();
  queued_done.WaitForNotification();
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(Count(), 2);  // q1 and q2, not the refused one
  // Room again: accepted.
  EXPECT_TRUE(writer_->Run(Insert("later")).ok());
}

TEST_F(GroupCommitWriterTest, CloseDrainsQueueAndRejectsLaterOps) {
  std::shared_ptr<absl::Notification> release = BlockWriter();
  absl::Status queued = absl::UnknownError("not run");
  writer_->Submit(Insert("a"), [&](absl::Status s) { queued = s; });
  std::thread closer([&] { writer_->Close(); });
  release->Notify();
  closer.join();
  EXPECT_TRUE(queued.ok());
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ(writer_->Run(Insert("b")).code(), absl::StatusCode::kUnavailable);
}

TEST_F(GroupCommitWriterTest, ConcurrentRunsAllCommit) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(writer_->Run(Insert(std::to_string(t) + "-" + std::to_string(i))).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Count(), 200);
  EXPECT_EQ(writer_->stats().ops, 200);
  EXPECT_LE(writer_->stats().commits, 200);
}

}  // namespace
}  // namespace sessions
