#include "storage/sqlite/wal_checkpointer.h"

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

constexpr int kPageSize = 4096;
constexpr int kFrameSize = kPageSize + 24;  // WAL frame header + page

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testutil::NewDatabasePath("checkpoint");
    auto conn = SqliteConnection::Open(path_, {});
    ASSERT_TRUE(conn.ok()) << conn.status();
    writer_ = *std::move(conn);
    writer_->db().exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)");
    // Start from an empty WAL and a database file holding just the schema.
    writer_->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  // One transaction that adds `pages` pages (one row of a page's size each).
  void WritePages(int pages) {
    writer_->db().exec("BEGIN IMMEDIATE");
    SQLite::Statement& insert = writer_->Prepare("INSERT INTO t (v) VALUES (zeroblob(4000))");
    for (int i = 0; i < pages; ++i) {
      insert.exec();
      insert.reset();
    }
    writer_->db().exec("COMMIT");
  }

  // Waits (bounded, not timed: a slow machine only waits longer) until the
  // thread has run `passes` checkpoints.
  static bool WaitForBackgroundPasses(const WalCheckpointer& checkpointer, int64_t passes) {
    return testutil::WaitUntil([&] { return checkpointer.stats().background >= passes; },
                               absl::Seconds(60));
  }

  int64_t Rows() { return writer_->db().execAndGet("SELECT count(*) FROM t").getInt64(); }

  std::string path_;
  std::unique_ptr<SqliteConnection> writer_;
};

TEST_F(WalCheckpointerTest, CopiesTheWalIntoTheDatabaseOnItsOwnThread) {
  WalCheckpointerOptions options;
  options.start_pages = 20;
  options.hard_limit_pages = 1000000;  // never inline
  auto checkpointer = WalCheckpointer::Start(*writer_, path_, {}, options);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  const int64_t db_size_before = FileSize(path_);

  WritePages(30);  // past start_pages: the commit wakes the thread
  ASSERT_TRUE(WaitForBackgroundPasses(**checkpointer, 1));
  const CheckpointStats stats = (*checkpointer)->stats();
  EXPECT_GE(stats.background, 1);
  EXPECT_EQ(stats.inline_, 0);
  EXPECT_EQ(stats.failed, 0);
  // The pages reached the database file itself.
  EXPECT_GE(FileSize(path_), db_size_before + int64_t{options.start_pages} * kPageSize);
  (*checkpointer)->Stop();
  EXPECT_EQ(Rows(), 30);
}

// Every pass costs two fsyncs, so the thread is woken once per start_pages
// of WAL growth, not after every commit past the threshold.
TEST_F(WalCheckpointerTest, WakesTheThreadOncePerThresholdOfGrowth) {
  WalCheckpointerOptions options;
  options.start_pages = 100;
  options.hard_limit_pages = 1000000;  // never inline
  auto checkpointer = WalCheckpointer::Start(*writer_, path_, {}, options);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  // A reader keeps its snapshot, so no pass can finish the WAL and let it
  // restart: the WAL only grows, as under a steady stream of writes.
  ConnectionOptions read_only;
  read_only.read_only = true;
  auto reader = SqliteConnection::Open(path_, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status();
  (*reader)->db().exec("BEGIN");
  EXPECT_EQ((*reader)->db().execAndGet("SELECT count(*) FROM t").getInt(), 0);

  for (int i = 0; i < 50; ++i) WritePages(10);  // 500 pages in 50 commits
  ASSERT_TRUE(WaitForBackgroundPasses(**checkpointer, 1));
  (*checkpointer)->Stop();
  (*reader)->db().exec("COMMIT");
  const CheckpointStats stats = (*checkpointer)->stats();
  // Wakes at 100, 200, ... 500 pages: at most 5 times, not once per commit
  // past the threshold (41). A pass runs per wake-up, or fewer when the
  // thread was still busy with the previous one.
  EXPECT_GE(stats.wakeups, 1);
  EXPECT_LE(stats.wakeups, 5);
  EXPECT_LE(stats.background, stats.wakeups);
  EXPECT_EQ(Rows(), 500);
}

TEST_F(WalCheckpointerTest, ReplacesTheAutomaticCheckpointOfTheWriter) {
  WalCheckpointerOptions options;
  options.start_pages = 10;
  options.hard_limit_pages = 3000;
  auto checkpointer = WalCheckpointer::Start(*writer_, path_, {}, options);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  (*checkpointer)->Stop();  // no background thread: only the writer could copy pages

  // Past SQLite's own threshold (1000 pages) but under the hard limit: the
  // writer does not checkpoint, so the WAL keeps every frame.
  for (int i = 0; i < 15; ++i) WritePages(100);
  EXPECT_GE(FileSize(path_ + "-wal"), int64_t{1500} * kFrameSize);
  EXPECT_EQ((*checkpointer)->stats().inline_, 0);
}

TEST_F(WalCheckpointerTest, TheWriterCheckpointsPastTheHardLimitWhichBoundsTheWal) {
  WalCheckpointerOptions options;
  options.start_pages = 10;
  options.hard_limit_pages = 200;
  auto checkpointer = WalCheckpointer::Start(*writer_, path_, {}, options);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  (*checkpointer)->Stop();

  for (int i = 0; i < 40; ++i) WritePages(50);  // 2000 pages in all
  EXPECT_GE((*checkpointer)->stats().inline_, 1);
  // The WAL restarts after each complete checkpoint: it never holds much
  // more than the hard limit plus one transaction.
  EXPECT_LE(FileSize(path_ + "-wal"), int64_t{options.hard_limit_pages + 50 + 10} * kFrameSize);
  EXPECT_EQ(Rows(), 2000);
}

}  // namespace
}  // namespace sessions
