// Read-side tests of SqliteSessionStore: filters, ordering, paging, plans,
// reopen/migrations, and that reads never write.
#include "storage/sqlite/sqlite_session_store.h"

#include <sys/stat.h>

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
using ::testing::IsEmpty;
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

TEST_F(SqliteSessionStoreTest, ListsActiveSessionsOfAccountInOrder) {
  EXPECT_THAT(List(Query("a")), ElementsAre("s1", "s2", "s4", "s3", "s5"));
  EXPECT_THAT(List(Query("b")), ElementsAre("s6"));
  EXPECT_THAT(List(Query("nobody")), IsEmpty());
}

TEST_F(SqliteSessionStoreTest, ReturnsFullSessions) {
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE(store_->ListActiveSessions(Query("a", "east-1"), &out).ok());
  ASSERT_EQ(out.size(), 2);
  EXPECT_EQ(out[0].display_name(), "Session s3");
  EXPECT_EQ(out[0].customer_breadcrumb_size(), 2);
}

TEST_F(SqliteSessionStoreTest, FiltersByCustomerSubtree) {
  EXPECT_THAT(List(Query("a", "root")), ElementsAre("s1", "s2", "s4", "s3", "s5"));
  EXPECT_THAT(List(Query("a", "east")), ElementsAre("s4", "s3", "s5"));
  EXPECT_THAT(List(Query("a", "east-1")), ElementsAre("s3", "s5"));
  EXPECT_THAT(List(Query("a", "west")), ElementsAre("s2"));
  EXPECT_THAT(List(Query("b", "east")), IsEmpty());
  EXPECT_THAT(List(Query("a", "nope")), IsEmpty());
}

TEST_F(SqliteSessionStoreTest, FiltersByStartDate) {
  ActiveSessionsQuery query = Query("a");
  query.created_at_or_after = At(2);
  EXPECT_THAT(List(query), ElementsAre("s2", "s4", "s3", "s5"));
  query.created_at_or_after = At(2) + absl::Seconds(1);
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
  query.created_at_or_after = At(6);
  EXPECT_THAT(List(query), IsEmpty());
}

TEST_F(SqliteSessionStoreTest, CombinesCustomerAndStartDate) {
  ActiveSessionsQuery query = Query("a", "east");
  query.created_at_or_after = At(3);
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
}

TEST_F(SqliteSessionStoreTest, PagesWithKeysetCursor) {
  for (const std::string& customer : {std::string(), std::string("root")}) {
    ActiveSessionsQuery query = Query("a", customer);
    query.limit = 2;
    EXPECT_THAT(List(query), ElementsAre("s1", "s2"));
    query.after_created = At(2);
    query.after_id = "s2";
    EXPECT_THAT(List(query), ElementsAre("s4", "s3"));
    query.after_id = "s3";
    query.after_created = At(3);
    EXPECT_THAT(List(query), ElementsAre("s5"));
    query.after_id = "s5";
    query.after_created = At(5);
    EXPECT_THAT(List(query), IsEmpty());
  }
}

TEST_F(SqliteSessionStoreTest, CursorAndStartDateTogether) {
  ActiveSessionsQuery query = Query("a");
  query.created_at_or_after = At(3);
  query.after_created = At(1);
  query.after_id = "s1";
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
}

TEST_F(SqliteSessionStoreTest, AppendsToExistingOutput) {
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  out.Add()->set_id("x");
  ASSERT_TRUE(store_->ListActiveSessions(Query("b"), &out).ok());
  EXPECT_THAT(Ids(out), ElementsAre("x", "s6"));
}

TEST_F(SqliteSessionStoreTest, RequiresAccount) {
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  EXPECT_EQ(store_->ListActiveSessions(Query(""), &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteSessionStoreTest, GetsActiveAndEndedSessions) {
  EXPECT_EQ(store_->GetSession("a", "s3")->customer_id(), "east-1");
  EXPECT_TRUE(store_->GetSession("a", "s0")->ended());
  EXPECT_EQ(store_->GetSession("b", "s3").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(SqliteSessionStoreTest, ForEachVisitsEverySessionInOrder) {
  std::vector<std::string> seen;
  ASSERT_TRUE(store_
                  ->ForEachSession([&](const SessionInfo& s) {
                    seen.push_back(s.account_id() + "/" + s.id());
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("a/s0", "a/s1", "a/s2", "a/s4", "a/s3", "a/s5", "b/s6"));
  int visits = 0;
  absl::Status stop = store_->ForEachSession([&](const SessionInfo&) {
    ++visits;
    return absl::CancelledError("enough");
  });
  EXPECT_EQ(stop.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(visits, 1);
}

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

}  // namespace
}  // namespace sessions
