// The live view against the real SQLite store: read-your-writes, tailing
// writes of another store on the same file, re-listing past the compaction
// horizon (the model test under random writes: live_view_model_test.cc).
#include "service/live_view.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/testing/watch_drain.h"
#include "storage/sqlite/sqlite_connection.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testutil::DrainWatch;
using testutil::Ids;
using testutil::MakeSession;
using testutil::NewDatabasePath;

// Generous: a loaded 2-core machine under a sanitizer is slow, and a wait
// that succeeds returns at once.
constexpr absl::Duration kWait = absl::Minutes(2);

SqliteStoreOptions NoBackgroundPurge() {
  SqliteStoreOptions options;
  options.retention.purge_interval = absl::ZeroDuration();
  return options;
}

class LiveViewTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(NoBackgroundPurge()); }

  void OpenStore(const SqliteStoreOptions& options) {
    store_.reset();
    auto store = SqliteSessionStore::Open(path_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Ended sessions are purged as soon as PurgeExpired() runs.
  void OpenStoreWithoutRetention() {
    SqliteStoreOptions options = NoBackgroundPurge();
    options.retention.keep_ended = absl::ZeroDuration();
    OpenStore(options);
  }

  void StartView(LiveViewOptions options = {}) {
    auto view = LiveView::Start(store_.get(), options);
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
  }

  int64_t Upsert(const SessionInfo& session) {
    auto result = store_->UpsertSessions({session});
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->revision : 0;
  }

  std::vector<std::string> ViewIds(const ActiveSessionsQuery& query) {
    google::protobuf::RepeatedPtrField<SessionInfo> out;
    auto revision = view_->List(query, &out);
    EXPECT_TRUE(revision.ok()) << revision.status();
    return Ids(out);
  }

  static ActiveSessionsQuery Account(const std::string& account, const std::string& customer = "") {
    ActiveSessionsQuery query;
    query.account_id = account;
    query.customer_id = customer;
    return query;
  }

  const std::string path_ = NewDatabasePath("view");
  std::unique_ptr<SqliteSessionStore> store_;
  std::unique_ptr<LiveView> view_;
};

TEST_F(LiveViewTest, StartsWithTheStoresActiveSessionsAndRevision) {
  Upsert(MakeSession("a", "s2", 2, "c1"));
  Upsert(MakeSession("a", "s1", 1, "c2", {"c1"}));
  Upsert(MakeSession("b", "s3", 3));
  SessionInfo ended = MakeSession("a", "gone", 0);
  ended.set_ended(true);
  const int64_t last = Upsert(ended);
  StartView();
  EXPECT_EQ(view_->revision(), last);
  EXPECT_THAT(ViewIds(Account("a")), ElementsAre("s1", "s2"));
  EXPECT_THAT(ViewIds(Account("a", "c1")), ElementsAre("s1", "s2"));
  EXPECT_THAT(ViewIds(Account("a", "c2")), ElementsAre("s1"));
  EXPECT_THAT(ViewIds(Account("b")), ElementsAre("s3"));
  EXPECT_THAT(ViewIds(Account("nobody")), IsEmpty());
  EXPECT_EQ(view_->stats().sessions, 3);
}

TEST_F(LiveViewTest, RequiresAnAccount) {
  StartView();
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  EXPECT_EQ(view_->List(ActiveSessionsQuery{}, &out).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LiveViewTest, WhenAppliedRunsOnceTheWriteIsVisible) {
  LiveViewOptions options;
  options.poll_interval = absl::Hours(1);  // only WhenApplied wakes it
  StartView(options);
  const int64_t revision = Upsert(MakeSession("a", "s1", 1));
  absl::Notification visible;
  std::vector<std::string> seen;
  bool reached = false;
  view_->WhenApplied(revision, absl::Now() + kWait, [&](bool r) {
    reached = r;
    seen = ViewIds(Account("a"));
    visible.Notify();
  });
  ASSERT_TRUE(visible.WaitForNotificationWithTimeout(kWait + absl::Minutes(1)));
  EXPECT_TRUE(reached);
  EXPECT_THAT(seen, ElementsAre("s1"));
  // Already applied: runs inline.
  bool inline_run = false;
  view_->WhenApplied(revision, absl::Now(), [&](bool r) { inline_run = r; });
  EXPECT_TRUE(inline_run);
}

TEST_F(LiveViewTest, WhenAppliedGivesUpAtItsDeadline) {
  LiveViewOptions options;
  options.poll_interval = absl::Milliseconds(10);
  StartView(options);
  absl::Notification called;
  bool reached = true;
  view_->WhenApplied(view_->revision() + 1, absl::Now() + absl::Milliseconds(30), [&](bool r) {
    reached = r;
    called.Notify();
  });
  ASSERT_TRUE(called.WaitForNotificationWithTimeout(kWait));
  EXPECT_FALSE(reached);
}

TEST_F(LiveViewTest, AnUnreadableRowLeavesTheViewAndDoesNotStopTheFeed) {
  StartView();
  Upsert(MakeSession("a", "bad", 1));
  {
    auto conn = SqliteConnection::Open(path_, {});
    ASSERT_TRUE(conn.ok());
    // Corrupt bytes at a new revision, as a broken writer would leave them.
    (*conn)->db().exec(
        "UPDATE sessions SET data = x'ffffffff', revision = "
        "(SELECT revision + 1 FROM store_state) WHERE id = 'bad'; "
        "UPDATE store_state SET revision = revision + 1");
  }
  const int64_t later = Upsert(MakeSession("a", "good", 2));
  ASSERT_TRUE(view_->AwaitRevision(later, absl::Now() + kWait));
  EXPECT_THAT(ViewIds(Account("a")), ElementsAre("good"));
  EXPECT_EQ(view_->stats().unreadable, 1);
}

TEST_F(LiveViewTest, UpdatesMovesAndEndsReachTheView) {
  StartView();
  Upsert(MakeSession("a", "s1", 1, "c1"));
  const int64_t moved = Upsert([] {
    SessionInfo s = MakeSession("a", "s1", 1, "c2");
    s.set_date_last_modified("2026-11-25T12:00:00Z");
    return s;
  }());
  ASSERT_TRUE(view_->AwaitRevision(moved, absl::Now() + kWait));
  EXPECT_THAT(ViewIds(Account("a", "c1")), IsEmpty());
  EXPECT_THAT(ViewIds(Account("a", "c2")), ElementsAre("s1"));
  auto ended = store_->UpdateSession("a", "s1", [](SessionInfo* s) {
    s->set_ended(true);
    return absl::OkStatus();
  });
  ASSERT_TRUE(ended.ok());
  ASSERT_TRUE(view_->AwaitRevision(*ended, absl::Now() + kWait));
  EXPECT_THAT(ViewIds(Account("a")), IsEmpty());
  EXPECT_THAT(ViewIds(Account("a", "c2")), IsEmpty());
  EXPECT_EQ(view_->stats().sessions, 0);
  EXPECT_EQ(view_->stats().data_bytes, 0);
}

TEST_F(LiveViewTest, TailsWritesOfAnotherStoreOnTheSameFile) {
  LiveViewOptions options;
  options.poll_interval = absl::Milliseconds(20);
  StartView(options);
  // sessionsctl import next to the server: another store, another writer.
  auto other = SqliteSessionStore::Open(path_, NoBackgroundPurge());
  ASSERT_TRUE(other.ok()) << other.status();
  auto written = (*other)->UpsertSessions({MakeSession("a", "imported", 1)});
  ASSERT_TRUE(written.ok());
  // Nobody wakes the view: the poll finds the write.
  const absl::Time deadline = absl::Now() + kWait;
  while (view_->revision() < written->revision && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_THAT(ViewIds(Account("a")), ElementsAre("imported"));
}

TEST_F(LiveViewTest, AwaitRevisionTimesOutBeyondTheStore) {
  StartView();
  const int64_t revision = Upsert(MakeSession("a", "s1", 1));
  EXPECT_TRUE(view_->AwaitRevision(revision, absl::Now() + kWait));
  EXPECT_FALSE(view_->AwaitRevision(revision + 1, absl::Now() + absl::Milliseconds(50)));
}

TEST_F(LiveViewTest, StopReleasesWaiters) {
  LiveViewOptions options;
  options.poll_interval = absl::Hours(1);
  StartView(options);
  bool ran = false;
  view_->WhenApplied(view_->revision() + 100, absl::InfiniteFuture(), [&](bool) { ran = true; });
  view_->Stop();
  EXPECT_TRUE(ran);
  EXPECT_FALSE(view_->AwaitRevision(view_->revision() + 1, absl::Now() + kWait));
}

TEST_F(LiveViewTest, RelistsWhenItFellBelowTheHorizon) {
  ASSERT_NO_FATAL_FAILURE(OpenStoreWithoutRetention());
  Upsert(MakeSession("a", "s1", 1));
  Upsert(MakeSession("a", "s2", 2));
  LiveViewOptions options;
  options.poll_interval = absl::Hours(1);
  StartView(options);
  auto ended = store_->UpdateSession("a", "s1", [](SessionInfo* s) {
    s->set_ended(true);
    return absl::OkStatus();
  });
  ASSERT_TRUE(ended.ok());
  ASSERT_EQ(*store_->PurgeExpired(), 1);  // the view never saw s1 end
  const int64_t later = Upsert(MakeSession("a", "s3", 3));
  ASSERT_TRUE(view_->AwaitRevision(later, absl::Now() + kWait));
  EXPECT_THAT(ViewIds(Account("a")), ElementsAre("s2", "s3"));
  EXPECT_EQ(view_->stats().relists, 2);  // start-up, then the horizon
}

WatchFilter AccountFilter(const std::string& account) {
  WatchFilter filter;
  filter.account_id = account;
  return filter;
}

TEST_F(LiveViewTest, ARelistEndsOpenWatchesAndKeepsTheViewRight) {
  ASSERT_NO_FATAL_FAILURE(OpenStoreWithoutRetention());
  Upsert(MakeSession("a", "s1", 1));
  Upsert(MakeSession("a", "s2", 2));
  Upsert(MakeSession("a", "same", 3));
  LiveViewOptions options;
  options.poll_interval = absl::Hours(1);
  StartView(options);
  auto watch = view_->StartWatch(AccountFilter("a"), 0, {});
  ASSERT_TRUE(watch.ok()) << watch.status();
  EXPECT_THAT(DrainWatch(**watch), ElementsAre("SNAPSHOT:s1:s2:same", "SYNCED"));
  auto ended = store_->UpdateSession("a", "s1", [](SessionInfo* s) {
    s->set_ended(true);
    return absl::OkStatus();
  });
  ASSERT_TRUE(ended.ok());
  ASSERT_EQ(*store_->PurgeExpired(), 1);  // the view must re-list
  SessionInfo renamed = MakeSession("a", "s2", 2);
  renamed.set_display_name("renamed");
  renamed.set_date_last_modified("2026-11-25T12:00:00Z");
  Upsert(renamed);
  const int64_t last = Upsert(MakeSession("a", "s3", 4));
  ASSERT_TRUE(view_->AwaitRevision(last, absl::Now() + kWait));
  EXPECT_EQ(view_->stats().relists, 2);
  EXPECT_THAT(DrainWatch(**watch), ElementsAre("END:OUT_OF_RANGE"));
  EXPECT_THAT(ViewIds(Account("a")), ElementsAre("s2", "same", "s3"));
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE(view_->List(Account("a"), &out).ok());
  EXPECT_EQ(out[0].display_name(), "renamed");
}

TEST_F(LiveViewTest, AResumeIgnoresOtherAccountsSessionsWithTheSameId) {
  StartView();
  const int64_t start = Upsert(MakeSession("a", "other", 1));
  Upsert(MakeSession("a", "x", 1));
  const int64_t last = Upsert(MakeSession("b", "x", 2));  // newer, same id, other tenant
  ASSERT_TRUE(view_->AwaitRevision(last, absl::Now() + kWait));
  auto watch = view_->StartWatch(AccountFilter("a"), start, {});
  ASSERT_TRUE(watch.ok()) << watch.status();
  EXPECT_THAT(DrainWatch(**watch), ElementsAre("UPSERT:x", "SYNCED"));
}

TEST_F(LiveViewTest, AResumeAheadOfTheStoreIsOutOfRange) {
  StartView();
  const int64_t last = Upsert(MakeSession("a", "s1", 1));
  auto watch = view_->StartWatch(AccountFilter("a"), last + 1000, {});
  EXPECT_EQ(watch.status().code(), absl::StatusCode::kOutOfRange);
}

// A resume from far behind is refused before it reads hours of changes:
// the bound counts every account's changes, since the read does.
TEST_F(LiveViewTest, AResumeFromTooFarBehindIsOutOfRange) {
  LiveViewOptions options;
  options.read_batch = 4;
  options.max_resume_changes = 8;
  StartView(options);
  const int64_t start = Upsert(MakeSession("a", "first", 1));
  for (int i = 0; i < 8; ++i) Upsert(MakeSession(i % 2 ? "a" : "b", absl::StrCat("s", i), 1));
  const int64_t last = Upsert(MakeSession("b", "last", 1));
  ASSERT_TRUE(view_->AwaitRevision(last, absl::Now() + kWait));
  auto refused = view_->StartWatch(AccountFilter("a"), start, {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kOutOfRange) << refused.status();
  EXPECT_NE(refused.status().message().find("list again"), std::string::npos);
  // Eight changes behind is within the bound.
  auto resumed = view_->StartWatch(AccountFilter("a"), start + 1, {});
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_THAT(DrainWatch(**resumed),
              ElementsAre("UPSERT:s1", "UPSERT:s3", "UPSERT:s5", "UPSERT:s7", "SYNCED"));
}

TEST_F(LiveViewTest, NoNewWatchesAfterEndWatches) {
  StartView();
  auto open = view_->StartWatch(AccountFilter("a"), 0, {});
  ASSERT_TRUE(open.ok());
  view_->EndWatches(absl::UnavailableError("bye"));
  EXPECT_THAT(DrainWatch(**open), ElementsAre("END:UNAVAILABLE"));
  EXPECT_EQ(view_->StartWatch(AccountFilter("a"), 0, {}).status().code(),
            absl::StatusCode::kUnavailable);
}

// The model test: random interleavings of every kind of write, by several
// tenants and customers; after each step, for random filters (paging
// included), the view answers exactly what the SQL query answers.
}  // namespace
}  // namespace sessions
