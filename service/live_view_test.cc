// The live view against the real SQLite store: a model test (random writes
// of every kind, random filters: the view answers what the SQL query
// answers at the same revision), read-your-writes, tailing writes of
// another store on the same file, re-listing past the compaction horizon.
#include "service/live_view.h"

#include <memory>
#include <random>
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
TEST_F(LiveViewTest, AnswersLikeTheStoreUnderRandomWrites) {
  StartView();
  std::mt19937 rng(20261202);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> accounts = {"a1", "a2", "a3"};
  // Customer tree: c1 > c2 > c3; c4 alone; "" no customer.
  const std::vector<std::pair<std::string, std::vector<std::string>>> places = {
      {"", {}}, {"c1", {}}, {"c2", {"c1"}}, {"c3", {"c1", "c2"}}, {"c4", {}}};
  std::vector<std::pair<std::string, std::string>> known;  // (account, id) ever written
  int next_id = 0;
  int64_t revision = 0;
  int minute = 0;
  auto note = [&](int64_t r) { revision = std::max(revision, r); };
  absl::Time first_minute;  // MakeSession's minute 0
  std::string error;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-11-25T10:00:00Z", &first_minute, &error));

  for (int step = 0; step < 400; ++step) {
    const int op = known.empty() ? 0 : pick(8);
    if (op <= 1) {  // new session(s), sometimes a batch
      std::vector<SessionInfo> batch;
      for (int n = op == 0 ? 1 : 1 + pick(3); n > 0; --n) {
        const auto& place = places[pick(places.size())];
        SessionInfo s = MakeSession(accounts[pick(accounts.size())], absl::StrCat("s", next_id++),
                                    pick(30), place.first, place.second);
        s.set_date_last_modified(absl::StrCat("2026-11-26T00:", 10 + minute % 50, ":00Z"));
        known.emplace_back(s.account_id(), s.id());
        batch.push_back(std::move(s));
      }
      auto result = store_->UpsertSessions(batch);
      ASSERT_TRUE(result.ok()) << result.status();
      note(result->revision);
    } else {
      const auto& [account, id] = known[pick(known.size())];
      absl::StatusOr<int64_t> written;
      if (op == 2) {  // move to another customer
        const auto& place = places[pick(places.size())];
        written = store_->UpdateSession(account, id, [&](SessionInfo* s) {
          s->set_customer_id(place.first);
          s->clear_customer_breadcrumb();
          for (const auto& crumb : place.second) s->add_customer_breadcrumb()->set_id(crumb);
          return absl::OkStatus();
        });
      } else if (op == 3) {  // end
        written = store_->UpdateSession(account, id, [](SessionInfo* s) {
          s->set_ended(true);
          return absl::OkStatus();
        });
      } else if (op == 4) {  // log entry
        written = store_->UpdateSession(account, id, [](SessionInfo* s) {
          s->add_log()->set_message("event");
          return absl::OkStatus();
        });
      } else if (op == 5) {  // member upsert / removal
        written = store_->UpdateSession(account, id, [&](SessionInfo* s) {
          if (s->members_size() > 0 && pick(2) == 0) {
            s->mutable_members()->RemoveLast();
          } else {
            s->add_members()->set_identity(absl::StrCat("m", pick(5)));
          }
          return absl::OkStatus();
        });
      } else if (op == 6) {  // a stale full upsert: ignored by the store
        auto stored = store_->GetSession(account, id);
        ASSERT_TRUE(stored.ok());
        SessionInfo stale = *stored;
        stale.set_display_name("stale");
        stale.set_ended(false);
        stale.set_date_last_modified("2026-11-20T00:00:00Z");
        auto result = store_->UpsertSessions({stale});
        ASSERT_TRUE(result.ok());
        written = result->revision;
      } else {  // a newer full upsert, possibly reviving an ended session
        auto stored = store_->GetSession(account, id);
        ASSERT_TRUE(stored.ok());
        SessionInfo newer = *stored;
        newer.set_ended(pick(4) == 0);
        newer.set_display_name(absl::StrCat("v", step));
        newer.set_date_last_modified("2026-11-27T00:00:00Z");
        auto result = store_->UpsertSessions({newer});
        ASSERT_TRUE(result.ok());
        written = result->revision;
      }
      ASSERT_TRUE(written.ok()) << written.status();
      note(*written);
    }
    ++minute;
    ASSERT_TRUE(view_->AwaitRevision(revision, absl::Now() + kWait)) << "step " << step;

    for (int q = 0; q < 4; ++q) {
      ActiveSessionsQuery query;
      query.account_id = pick(10) == 0 ? "unknown" : accounts[pick(accounts.size())];
      query.customer_id = pick(2) == 0 ? "" : places[pick(places.size())].first;
      // A customer-restricted token's bound.
      if (pick(2) == 0) query.within_customer_id = places[pick(places.size())].first;
      if (pick(3) == 0) {
        query.created_at_or_after = first_minute + absl::Minutes(pick(30));
      }
      query.limit = pick(3) == 0 ? 0 : 1 + pick(4);
      if (query.limit == 0 && !query.within_customer_id.empty()) {
        // The bound keeps exactly the unbounded answer's sessions in its
        // subtree, in the same order (checked without the code under test).
        ActiveSessionsQuery unbounded = query;
        unbounded.within_customer_id.clear();
        google::protobuf::RepeatedPtrField<SessionInfo> all, bounded;
        ASSERT_TRUE(store_->ListActiveSessions(unbounded, &all).ok());
        ASSERT_TRUE(store_->ListActiveSessions(query, &bounded).ok());
        std::vector<std::string> expected, got;
        for (const SessionInfo& s : all) {
          bool inside = s.customer_id() == query.within_customer_id;
          for (const auto& crumb : s.customer_breadcrumb()) {
            inside |= crumb.id() == query.within_customer_id;
          }
          if (inside) expected.push_back(s.id());
        }
        for (const SessionInfo& s : bounded) got.push_back(s.id());
        ASSERT_EQ(got, expected) << "step " << step;
      }
      // Walk every page; both sides get the same cursor.
      for (int page = 0; page < 50; ++page) {
        google::protobuf::RepeatedPtrField<SessionInfo> from_store, from_view;
        ASSERT_TRUE(store_->ListActiveSessions(query, &from_store).ok());
        auto at = view_->List(query, &from_view);
        ASSERT_TRUE(at.ok()) << at.status();
        EXPECT_EQ(*at, view_->revision());
        ASSERT_EQ(from_view.size(), from_store.size()) << "step " << step;
        for (int i = 0; i < from_store.size(); ++i) {
          ASSERT_EQ(from_view[i].SerializeAsString(), from_store[i].SerializeAsString())
              << "step " << step << " row " << i;
        }
        if (query.limit == 0 || from_store.size() < query.limit) break;
        const SessionInfo& last = from_store[from_store.size() - 1];
        absl::Time created;
        ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, last.date_created(), &created, &error));
        query.after_created = created;
        query.after_id = last.id();
      }
    }
  }
  EXPECT_GT(view_->stats().changes_applied, 300);  // the tail ran: most steps apply
}

}  // namespace
}  // namespace sessions
