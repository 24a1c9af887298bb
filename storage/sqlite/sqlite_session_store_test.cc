// What only the SQLite store does (the behaviours every engine shares are
// the conformance suite's: sqlite_session_store_conformance_test.cc): query
// plans, reads that never touch the files, reopen, Close, and durability
// across kill -9.
#include "storage/sqlite/sqlite_session_store.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testutil::Ids;
using testutil::MakeSession;
using testutil::NewDatabasePath;

absl::Time At(int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, 11, 25, 10, minute), absl::UTCTimeZone());
}

class SqliteSessionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = NewDatabasePath("read");
    auto store = SqliteSessionStore::Open(path_, {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    // Account a: customers root > east > east-1 and root > west.
    std::vector<SessionInfo> sessions = {
        MakeSession("a", "s3", 3, "east-1", {"root", "east"}),
        MakeSession("a", "s1", 1, "root"),
        MakeSession("a", "s2", 2, "west", {"root"}),
        MakeSession("a", "s4", 2, "east", {"root"}),  // same time as s2: id breaks the tie
        MakeSession("a", "s5", 5, "east-1", {"root", "east"}),
        MakeSession("b", "s6", 1, "root"),
    };
    SessionInfo ended = MakeSession("a", "s0", 0, "east-1", {"root", "east"});
    ended.set_ended(true);
    sessions.push_back(ended);
    auto result = store_->UpsertSessions(sessions);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->applied, 7);
  }

  std::vector<std::string> List(const ActiveSessionsQuery& query) {
    google::protobuf::RepeatedPtrField<SessionInfo> out;
    absl::Status status = store_->ListActiveSessions(query, &out);
    EXPECT_TRUE(status.ok()) << status;
    return Ids(out);
  }

  ActiveSessionsQuery Query(const std::string& account, const std::string& customer = "") {
    ActiveSessionsQuery query;
    query.account_id = account;
    query.customer_id = customer;
    return query;
  }

  std::string path_;
  std::unique_ptr<SqliteSessionStore> store_;
};

std::string Joined(const std::vector<std::string>& plan) {
  std::string out;
  for (const std::string& line : plan) out += line + "\n";
  return out;
}

TEST_F(SqliteSessionStoreTest, ActiveQueryUsesPartialIndex) {
  ActiveSessionsQuery query = Query("a");
  query.created_at_or_after = At(1);
  query.after_created = At(2);
  query.after_id = "s2";
  query.limit = 10;
  auto plan = store_->ExplainActiveQuery(query);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Joined(*plan), HasSubstr("USING INDEX sessions_active"));
  EXPECT_THAT(Joined(*plan), Not(HasSubstr("SCAN")));
  EXPECT_THAT(Joined(*plan), Not(HasSubstr("TEMP B-TREE")));
}

TEST_F(SqliteSessionStoreTest, CustomerQueryUsesSideTable) {
  ActiveSessionsQuery query = Query("a", "east");
  query.created_at_or_after = At(1);
  auto plan = store_->ExplainActiveQuery(query);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(Joined(*plan), HasSubstr("SEARCH c USING PRIMARY KEY"));
  EXPECT_THAT(Joined(*plan), Not(HasSubstr("SCAN")));
  EXPECT_THAT(Joined(*plan), Not(HasSubstr("TEMP B-TREE")));
}

struct FileState {
  off_t size = -1;
  int64_t mtime_ns = -1;
  bool operator==(const FileState& o) const { return size == o.size && mtime_ns == o.mtime_ns; }
};

FileState StatFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return {};
  return {st.st_size, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

TEST_F(SqliteSessionStoreTest, ReadsDoNotWrite) {
  const FileState db = StatFile(path_);
  const FileState wal = StatFile(path_ + "-wal");
  const WriterStats before = store_->stats();
  for (int i = 0; i < 20; ++i) {
    List(Query("a", i % 2 ? "east" : ""));
    ASSERT_TRUE(store_->GetSession("a", "s1").ok());
  }
  EXPECT_TRUE(StatFile(path_) == db);
  EXPECT_TRUE(StatFile(path_ + "-wal") == wal);
  EXPECT_EQ(store_->stats().ops, before.ops);
}

TEST_F(SqliteSessionStoreTest, ReopenKeepsDataAndSchema) {
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    auto reopened = SqliteSessionStore::Open(path_, {});
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    store_ = *std::move(reopened);
    EXPECT_THAT(List(Query("a", "east")), ElementsAre("s4", "s3", "s5"));
    store_.reset();
  }
}

TEST_F(SqliteSessionStoreTest, CallsAfterCloseAreUnavailable) {
  store_->Close();
  store_->Close();  // idempotent
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  EXPECT_EQ(store_->ListActiveSessions(Query("a"), &out).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(store_->UpsertSessions({MakeSession("a", "x", 1)}).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(SqliteSessionStoreOpenTest, MissingDirectoryIsFailedPrecondition) {
  auto store = SqliteSessionStore::Open(NewDatabasePath("no-such-dir/x"), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("cannot open database"));
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
