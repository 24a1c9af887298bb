// The change feed of SqliteSessionStore: revisions, ChangesAfter,
// ListActiveChanges, retention purge and the compaction horizon, and the
// migration that adds revisions to an existing database.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testutil::MakeSession;
using testutil::NewDatabasePath;

// A change as the tests compare it (the visitor's views copied out).
struct Change {
  int64_t revision;
  std::string account_id;
  std::string session_id;
  bool ended;
  std::string display_name;  // from the stored bytes
  bool operator==(const Change& o) const {
    return revision == o.revision && account_id == o.account_id && session_id == o.session_id &&
           ended == o.ended && display_name == o.display_name;
  }
};

std::ostream& operator<<(std::ostream& os, const Change& c) {
  return os << "{" << c.revision << " " << c.account_id << "/" << c.session_id
            << (c.ended ? " ended " : " ") << c.display_name << "}";
}

SessionStore::ChangeVisitor CollectInto(std::vector<Change>* out) {
  return [out](const SessionChange& change) {
    SessionInfo session;
    if (!session.ParseFromArray(change.data.data(), static_cast<int>(change.data.size()))) {
      return absl::InternalError("unparsable");
    }
    EXPECT_EQ(session.account_id(), change.account_id);
    EXPECT_EQ(session.id(), change.session_id);
    EXPECT_EQ(session.ended(), change.ended);
    out->push_back(Change{change.revision, std::string(change.account_id),
                          std::string(change.session_id), change.ended, session.display_name()});
    return absl::OkStatus();
  };
}

SqliteStoreOptions NoBackgroundPurge() {
  SqliteStoreOptions options;
  options.retention.purge_interval = absl::ZeroDuration();
  return options;
}

class SqliteChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(NoBackgroundPurge()); }

  void Open(const SqliteStoreOptions& options) {
    store_.reset();
    auto store = SqliteSessionStore::Open(path_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  int64_t Upsert(SessionInfo session) {
    auto result = store_->UpsertSessions({session});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->revision : -1;
  }

  int64_t Rename(const std::string& account, const std::string& id, const std::string& name) {
    auto revision = store_->UpdateSession(account, id, [name](SessionInfo* s) {
      s->set_display_name(name);
      return absl::OkStatus();
    });
    EXPECT_TRUE(revision.ok()) << revision.status();
    return revision.ok() ? *revision : -1;
  }

  int64_t End(const std::string& account, const std::string& id) {
    auto revision = store_->UpdateSession(account, id, [](SessionInfo* s) {
      s->set_ended(true);
      return absl::OkStatus();
    });
    EXPECT_TRUE(revision.ok()) << revision.status();
    return revision.ok() ? *revision : -1;
  }

  std::vector<Change> ChangesAfter(int64_t after, int limit = 0, FeedPosition* position = nullptr) {
    std::vector<Change> changes;
    auto read = store_->ChangesAfter(after, limit, CollectInto(&changes));
    EXPECT_TRUE(read.ok()) << read.status();
    if (position != nullptr && read.ok()) *position = *read;
    return changes;
  }

  const std::string path_ = NewDatabasePath("feed");
  std::unique_ptr<SqliteSessionStore> store_;
};

TEST_F(SqliteChangeFeedTest, EveryChangeGetsTheNextRevision) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  EXPECT_GT(r1, 0);
  auto batch = store_->UpsertSessions({MakeSession("a", "s2", 2), MakeSession("b", "s3", 3)});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->revision, r1 + 2);  // one revision per applied session
  EXPECT_EQ(Rename("a", "s1", "renamed"), r1 + 3);
  EXPECT_EQ(End("b", "s3"), r1 + 4);
}

TEST_F(SqliteChangeFeedTest, StaleUpsertTakesNoRevision) {
  SessionInfo newer = MakeSession("a", "s1", 1);
  newer.set_date_last_modified("2026-11-25T12:00:00Z");
  const int64_t r1 = Upsert(newer);
  auto stale = store_->UpsertSessions({MakeSession("a", "s1", 1)});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->stale, 1);
  EXPECT_EQ(stale->revision, 0);
  FeedPosition position;
  EXPECT_THAT(ChangesAfter(0, 0, &position),
              ElementsAre(Change{r1, "a", "s1", false, "Session s1"}));
  EXPECT_EQ(position.revision, r1);
  EXPECT_EQ(Upsert(MakeSession("a", "s2", 2)), r1 + 1);
}

TEST_F(SqliteChangeFeedTest, ChangesAfterGivesLatestStateInRevisionOrder) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  const int64_t r2 = Upsert(MakeSession("a", "s2", 2));
  const int64_t r3 = Rename("a", "s1", "second");
  const int64_t r4 = End("a", "s2");
  FeedPosition position;
  EXPECT_THAT(ChangesAfter(0, 0, &position),
              ElementsAre(Change{r3, "a", "s1", false, "second"},
                          Change{r4, "a", "s2", true, "Session s2"}));
  EXPECT_EQ(position.revision, r4);
  EXPECT_THAT(ChangesAfter(r3), ElementsAre(Change{r4, "a", "s2", true, "Session s2"}));
  EXPECT_THAT(ChangesAfter(r4, 0, &position), IsEmpty());
  EXPECT_EQ(position.revision, r4);
  EXPECT_LT(r1, r2);
}

TEST_F(SqliteChangeFeedTest, LimitStopsAtTheLastVisitedRevision) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  const int64_t r2 = Upsert(MakeSession("a", "s2", 2));
  const int64_t r3 = Upsert(MakeSession("a", "s3", 3));
  FeedPosition position;
  EXPECT_EQ(ChangesAfter(0, 2, &position).size(), 2u);
  EXPECT_EQ(position.revision, r2);
  EXPECT_THAT(ChangesAfter(position.revision, 2, &position),
              ElementsAre(Change{r3, "a", "s3", false, "Session s3"}));
  EXPECT_EQ(position.revision, r3);
  EXPECT_LT(r1, r2);
}

TEST_F(SqliteChangeFeedTest, ListActiveChangesIsASnapshotWithItsRevision) {
  Upsert(MakeSession("b", "s1", 1));
  Upsert(MakeSession("a", "s2", 5));
  Upsert(MakeSession("a", "s3", 2));
  Upsert(MakeSession("a", "gone", 3));
  const int64_t last = End("a", "gone");
  std::vector<Change> active;
  auto position = store_->ListActiveChanges(CollectInto(&active));
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->revision, last);
  std::vector<std::string> order;
  for (const Change& c : active) order.push_back(c.account_id + "/" + c.session_id);
  EXPECT_THAT(order, ElementsAre("a/s3", "a/s2", "b/s1"));  // account, date_created
}

TEST_F(SqliteChangeFeedTest, VisitorErrorStopsTheRead) {
  Upsert(MakeSession("a", "s1", 1));
  Upsert(MakeSession("a", "s2", 2));
  int calls = 0;
  auto read = store_->ChangesAfter(0, 0, [&](const SessionChange&) {
    ++calls;
    return absl::CancelledError("enough");
  });
  EXPECT_EQ(read.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST_F(SqliteChangeFeedTest, PurgeDeletesEndedSessionsAndRaisesTheHorizon) {
  SqliteStoreOptions options = NoBackgroundPurge();
  options.retention.keep_ended = absl::ZeroDuration();
  options.retention.purge_batch = 2;
  Open(options);
  std::vector<int64_t> ended;
  for (int i = 0; i < 5; ++i) {
    const std::string id = "e" + std::to_string(i);
    Upsert(MakeSession("a", id, i));
    ended.push_back(End("a", id));
  }
  const int64_t active = Upsert(MakeSession("a", "live", 9));

  EXPECT_EQ(*store_->PurgeExpired(), 2);
  EXPECT_EQ(*store_->PurgeExpired(), 2);
  EXPECT_EQ(*store_->PurgeExpired(), 1);
  EXPECT_EQ(*store_->PurgeExpired(), 0);
  FeedPosition position;
  EXPECT_THAT(ChangesAfter(ended.back(), 0, &position),
              ElementsAre(Change{active, "a", "live", false, "Session live"}));
  EXPECT_EQ(position.horizon, ended.back());
  EXPECT_EQ(store_->GetSession("a", "e0").status().code(), absl::StatusCode::kNotFound);

  auto too_old = store_->ChangesAfter(ended.back() - 1, 0, CollectInto(nullptr));
  EXPECT_EQ(too_old.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(too_old.status().message()),
              HasSubstr("horizon " + std::to_string(ended.back())));
}

TEST_F(SqliteChangeFeedTest, PurgeKeepsEndedSessionsInsideTheRetentionWindow) {
  Upsert(MakeSession("a", "s1", 1));
  End("a", "s1");
  EXPECT_EQ(*store_->PurgeExpired(), 0);  // the default window is 24 h
  EXPECT_TRUE(store_->GetSession("a", "s1").ok());
}

TEST_F(SqliteChangeFeedTest, BackgroundPurgeRuns) {
  SqliteStoreOptions options;
  options.retention.keep_ended = absl::ZeroDuration();
  options.retention.purge_interval = absl::Milliseconds(10);
  Open(options);
  Upsert(MakeSession("a", "s1", 1));
  const int64_t ended = End("a", "s1");
  const absl::Time deadline = absl::Now() + absl::Minutes(2);
  while (store_->purge_stats().purged == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(store_->purge_stats().purged, 1);
  FeedPosition position;
  ChangesAfter(ended, 0, &position);
  EXPECT_EQ(position.horizon, ended);
}

TEST_F(SqliteChangeFeedTest, RevisionsSurviveReopen) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  Open(NoBackgroundPurge());
  EXPECT_THAT(ChangesAfter(0), ElementsAre(Change{r1, "a", "s1", false, "Session s1"}));
  EXPECT_EQ(Upsert(MakeSession("a", "s2", 2)), r1 + 1);
}

TEST_F(SqliteChangeFeedTest, WritesOfAnotherStoreOnTheSameFileContinueTheSequence) {
  // As sessionsctl does next to the server: a second store on the file.
  auto other = SqliteSessionStore::Open(path_, NoBackgroundPurge());
  ASSERT_TRUE(other.ok()) << other.status();
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  auto r2 = (*other)->UpsertSessions({MakeSession("a", "s2", 2)});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->revision, r1 + 1);
  EXPECT_THAT(ChangesAfter(r1), ElementsAre(Change{r1 + 1, "a", "s2", false, "Session s2"}));
  EXPECT_EQ(Upsert(MakeSession("a", "s3", 3)), r1 + 2);
}

TEST(SqliteChangeFeedMigrationTest, ExistingRowsGetDistinctRevisions) {
  const std::string path = NewDatabasePath("migrate");
  {
    // The database as the binary before revisions left it (schema 2).
    auto conn = SqliteConnection::Open(path, {});
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_TRUE(Schema::MigrateTo(**conn, 2).ok());
    SQLite::Database& db = (*conn)->db();
    for (const auto& [id, ended] :
         std::vector<std::pair<std::string, int>>{{"s1", 0}, {"s2", 1}, {"s3", 0}}) {
      SessionInfo s = MakeSession("a", id, 1);
      s.set_ended(ended != 0);
      SQLite::Statement insert(db,
                               "INSERT INTO sessions (account_id, id, created_us, modified_us, "
                               "ended, data) VALUES ('a', ?1, 0, 0, ?2, ?3)");
      insert.bind(1, id);
      insert.bind(2, ended);
      const std::string data = s.SerializeAsString();
      insert.bind(3, data.data(), static_cast<int>(data.size()));
      insert.exec();
    }
  }
  auto store = SqliteSessionStore::Open(path, NoBackgroundPurge());
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<Change> changes;
  auto position = (*store)->ChangesAfter(0, 0, CollectInto(&changes));
  ASSERT_TRUE(position.ok()) << position.status();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_LT(changes[0].revision, changes[1].revision);
  EXPECT_LT(changes[1].revision, changes[2].revision);
  EXPECT_EQ(position->revision, changes[2].revision);
  EXPECT_EQ(position->horizon, 0);
  auto next = (*store)->UpsertSessions({MakeSession("a", "s4", 4)});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->revision, changes[2].revision + 1);
}

}  // namespace
}  // namespace sessions
