#include "storage/testing/session_store_conformance.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace testutil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time At(int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, 11, 25, 10, minute), absl::UTCTimeZone());
}

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

SessionStore::UpsertAuthority RestrictedTo(const std::string& customer) {
  SessionStore::UpsertAuthority authority;
  authority.restricted_to_customer = customer;
  return authority;
}

}  // namespace

std::string SessionEngineName(const ::testing::TestParamInfo<SessionStoreEngine>& info) {
  return info.param.name;
}

RetentionOptions ManualPurge() {
  RetentionOptions retention;
  retention.purge_interval = absl::ZeroDuration();
  return retention;
}

void SessionStoreConformanceTest::SetUp() {
  database_ = GetParam().new_database();
  ASSERT_FALSE(database_.empty());
  Open();
}

void SessionStoreConformanceTest::Open(const RetentionOptions& retention) {
  store_.reset();
  absl::StatusOr<std::unique_ptr<SessionStore>> store = GetParam().open(database_, retention);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
}

std::unique_ptr<SessionStore> SessionStoreConformanceTest::OpenAnother() {
  absl::StatusOr<std::unique_ptr<SessionStore>> store = GetParam().open(database_, ManualPurge());
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

void SessionStoreConformanceTest::WriteListingFixture() {
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
  absl::StatusOr<UpsertResult> result = store_->UpsertSessions(sessions);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->applied, 7);
}

std::vector<std::string> SessionStoreConformanceTest::List(const ActiveSessionsQuery& query) {
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  absl::Status status = store_->ListActiveSessions(query, &out);
  EXPECT_TRUE(status.ok()) << status;
  return Ids(out);
}

std::vector<std::string> SessionStoreConformanceTest::Active(const std::string& account,
                                                             const std::string& customer) {
  return List(Query(account, customer));
}

ActiveSessionsQuery SessionStoreConformanceTest::Query(const std::string& account,
                                                       const std::string& customer) {
  ActiveSessionsQuery query;
  query.account_id = account;
  query.customer_id = customer;
  return query;
}

int64_t SessionStoreConformanceTest::Upsert(const SessionInfo& session) {
  absl::StatusOr<UpsertResult> result = store_->UpsertSessions({session});
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? result->revision : -1;
}

int64_t SessionStoreConformanceTest::Rename(const std::string& account, const std::string& id,
                                            const std::string& name) {
  absl::StatusOr<int64_t> revision = store_->UpdateSession(account, id, [name](SessionInfo* s) {
    s->set_display_name(name);
    return absl::OkStatus();
  });
  EXPECT_TRUE(revision.ok()) << revision.status();
  return revision.ok() ? *revision : -1;
}

int64_t SessionStoreConformanceTest::End(const std::string& account, const std::string& id) {
  absl::StatusOr<int64_t> revision = store_->UpdateSession(account, id, [](SessionInfo* s) {
    s->set_ended(true);
    return absl::OkStatus();
  });
  EXPECT_TRUE(revision.ok()) << revision.status();
  return revision.ok() ? *revision : -1;
}

absl::StatusOr<UpsertResult> SessionStoreConformanceTest::UpsertAs(
    std::vector<SessionInfo> sessions, const SessionStore::UpsertAuthority& authority) {
  absl::Notification done;
  absl::StatusOr<UpsertResult> result;
  store_->UpsertSessionsAsync(std::move(sessions), authority, [&](absl::StatusOr<UpsertResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

std::shared_ptr<absl::Notification> SessionStoreConformanceTest::BlockWriter() {
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

namespace {

// The store's changes after `after` (ChangesAfter), copied out.
std::vector<Change> FeedAfter(SessionStore& store, int64_t after, int limit = 0,
                              FeedPosition* position = nullptr) {
  std::vector<Change> changes;
  absl::StatusOr<FeedPosition> read = store.ChangesAfter(after, limit, CollectInto(&changes));
  EXPECT_TRUE(read.ok()) << read.status();
  if (position != nullptr && read.ok()) *position = *read;
  return changes;
}

// ---- listings

TEST_P(SessionStoreConformanceTest, ListsActiveSessionsOfAccountInOrder) {
  WriteListingFixture();
  EXPECT_THAT(List(Query("a")), ElementsAre("s1", "s2", "s4", "s3", "s5"));
  EXPECT_THAT(List(Query("b")), ElementsAre("s6"));
  EXPECT_THAT(List(Query("nobody")), IsEmpty());
}

TEST_P(SessionStoreConformanceTest, ReturnsFullSessions) {
  WriteListingFixture();
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  ASSERT_TRUE(store_->ListActiveSessions(Query("a", "east-1"), &out).ok());
  ASSERT_EQ(out.size(), 2);
  EXPECT_EQ(out[0].display_name(), "Session s3");
  EXPECT_EQ(out[0].customer_breadcrumb_size(), 2);
}

TEST_P(SessionStoreConformanceTest, FiltersByCustomerSubtree) {
  WriteListingFixture();
  EXPECT_THAT(List(Query("a", "root")), ElementsAre("s1", "s2", "s4", "s3", "s5"));
  EXPECT_THAT(List(Query("a", "east")), ElementsAre("s4", "s3", "s5"));
  EXPECT_THAT(List(Query("a", "east-1")), ElementsAre("s3", "s5"));
  EXPECT_THAT(List(Query("a", "west")), ElementsAre("s2"));
  EXPECT_THAT(List(Query("b", "east")), IsEmpty());
  EXPECT_THAT(List(Query("a", "nope")), IsEmpty());
}

TEST_P(SessionStoreConformanceTest, FiltersByStartDate) {
  WriteListingFixture();
  ActiveSessionsQuery query = Query("a");
  query.created_at_or_after = At(2);
  EXPECT_THAT(List(query), ElementsAre("s2", "s4", "s3", "s5"));
  query.created_at_or_after = At(2) + absl::Seconds(1);
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
  query.created_at_or_after = At(6);
  EXPECT_THAT(List(query), IsEmpty());
}

TEST_P(SessionStoreConformanceTest, CombinesCustomerAndStartDate) {
  WriteListingFixture();
  ActiveSessionsQuery query = Query("a", "east");
  query.created_at_or_after = At(3);
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
}

TEST_P(SessionStoreConformanceTest, PagesWithKeysetCursor) {
  WriteListingFixture();
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

TEST_P(SessionStoreConformanceTest, CursorAndStartDateTogether) {
  WriteListingFixture();
  ActiveSessionsQuery query = Query("a");
  query.created_at_or_after = At(3);
  query.after_created = At(1);
  query.after_id = "s1";
  EXPECT_THAT(List(query), ElementsAre("s3", "s5"));
}

TEST_P(SessionStoreConformanceTest, AppendsToExistingOutput) {
  WriteListingFixture();
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  out.Add()->set_id("x");
  ASSERT_TRUE(store_->ListActiveSessions(Query("b"), &out).ok());
  EXPECT_THAT(Ids(out), ElementsAre("x", "s6"));
}

TEST_P(SessionStoreConformanceTest, RequiresAccount) {
  WriteListingFixture();
  google::protobuf::RepeatedPtrField<SessionInfo> out;
  EXPECT_EQ(store_->ListActiveSessions(Query(""), &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(SessionStoreConformanceTest, GetsActiveAndEndedSessions) {
  WriteListingFixture();
  EXPECT_EQ(store_->GetSession("a", "s3")->customer_id(), "east-1");
  EXPECT_TRUE(store_->GetSession("a", "s0")->ended());
  EXPECT_EQ(store_->GetSession("b", "s3").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(SessionStoreConformanceTest, ForEachVisitsEverySessionInOrder) {
  WriteListingFixture();
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

// ---- writes

TEST_P(SessionStoreConformanceTest, SameUpsertTwiceIsOneSession) {
  SessionInfo s = MakeSession("a", "s1", 1, "c1");
  ASSERT_EQ(store_->UpsertSessions({s})->applied, 1);
  auto again = store_->UpsertSessions({s});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied, 1);
  EXPECT_EQ(again->stale, 0);
  EXPECT_THAT(Active("a"), ElementsAre("s1"));
  EXPECT_THAT(Active("a", "c1"), ElementsAre("s1"));
}

TEST_P(SessionStoreConformanceTest, OlderModificationIsStale) {
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
TEST_P(SessionStoreConformanceTest, NewCreationDateMovesSessionInActiveListing) {
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

TEST_P(SessionStoreConformanceTest, BatchCountsAppliedAndStale) {
  SessionInfo newer = MakeSession("a", "s1", 5);
  SessionInfo older = MakeSession("a", "s1", 1);  // modified earlier
  auto result = store_->UpsertSessions({newer, older, MakeSession("a", "s2", 2)});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->applied, 2);
  EXPECT_EQ(result->stale, 1);
}

TEST_P(SessionStoreConformanceTest, InvalidSessionFailsWholeBatch) {
  SessionInfo bad = MakeSession("a", "s2", 2);
  bad.set_date_created("last tuesday");
  auto result = store_->UpsertSessions({MakeSession("a", "s1", 1), bad});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("sessions[1].date_created"));
  EXPECT_THAT(Active("a"), IsEmpty());
}

TEST_P(SessionStoreConformanceTest, EndingRemovesFromActiveAndCustomerListings) {
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

TEST_P(SessionStoreConformanceTest, MovingCustomerUpdatesCustomerListing) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, "c1", {"root"})}).ok());
  SessionInfo moved = MakeSession("a", "s1", 1, "c2", {"root"});
  moved.set_date_last_modified("2026-11-25T11:00:00Z");
  ASSERT_TRUE(store_->UpsertSessions({moved}).ok());
  EXPECT_THAT(Active("a", "c1"), IsEmpty());
  EXPECT_THAT(Active("a", "c2"), ElementsAre("s1"));
  EXPECT_THAT(Active("a", "root"), ElementsAre("s1"));
}

TEST_P(SessionStoreConformanceTest, UpdateSessionErrors) {
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

TEST_P(SessionStoreConformanceTest, MutateErrorRollsBackOnlyThatWrite) {
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

TEST_P(SessionStoreConformanceTest, AsyncUpsertReportsResultAfterCommit) {
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
TEST_P(SessionStoreConformanceTest, StoredCheckSeesTheVersionItReplaces) {
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

TEST_P(SessionStoreConformanceTest, ConcurrentWritersShareCommits) {
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

TEST_P(SessionStoreConformanceTest, ReadersRunWhileWriterIsBusy) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1)}).ok());
  std::shared_ptr<absl::Notification> release = BlockWriter();  // holds the write txn
  EXPECT_THAT(Active("a"), ElementsAre("s1"));
  release->Notify();
}

// ---- the customer directory

TEST_P(SessionStoreConformanceTest, AccountLevelWritesStateTheCustomerTree) {
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, "support", {"root", "hq"})}).ok());
  // The breadcrumb may end with the session's own customer: the same path.
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s2", 2, "sales", {"root", "sales"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  EXPECT_THAT(*store_->CustomerPath("a", "hq"), ElementsAre("root", "hq"));
  EXPECT_THAT(*store_->CustomerPath("a", "sales"), ElementsAre("root", "sales"));
  EXPECT_EQ(store_->CustomerPath("a", "ghost").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->CustomerPath("b", "hq").status().code(), absl::StatusCode::kNotFound);
  // The tree changes when account-level writers say so.
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s3", 3, "hq", {"group"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("group", "hq", "support"));
  // A stale write is an older state of the tree: it teaches nothing.
  SessionInfo stale = MakeSession("a", "s3", 3, "hq", {"elsewhere"});
  stale.set_date_last_modified("2026-11-25T09:00:00Z");
  ASSERT_EQ(store_->UpsertSessions({stale})->stale, 1);
  EXPECT_THAT(*store_->CustomerPath("a", "hq"), ElementsAre("group", "hq"));
  // A path naming a customer twice is no tree path: it teaches nothing.
  ASSERT_TRUE(
      store_->UpsertSessions({MakeSession("a", "s4", 4, "x", {"hq", "support", "hq"})}).ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("group", "hq", "support"));
  EXPECT_EQ(store_->CustomerPath("a", "x").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(SessionStoreConformanceTest, TheDirectoryCanBeStatedEntryByEntry) {
  ASSERT_TRUE(store_->SetCustomerParent("a", "root", "").ok());
  ASSERT_TRUE(store_->SetCustomerParent("a", "hq", "root").ok());
  ASSERT_TRUE(store_->SetCustomerParent("a", "support", "hq").ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  // A restricted writer may now use it, with no session written before.
  EXPECT_TRUE(
      UpsertAs({MakeSession("a", "s1", 1, "support", {"root", "hq"})}, RestrictedTo("hq")).ok());
  // Cycles and nonsense are refused, naming the field; nothing changes.
  absl::Status cycle = store_->SetCustomerParent("a", "root", "support");
  EXPECT_EQ(cycle.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(cycle.message().find("parent_id"), std::string::npos);
  EXPECT_EQ(store_->SetCustomerParent("a", "hq", "hq").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetCustomerParent("a", "", "hq").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("root", "hq", "support"));
  // Moving a subtree.
  ASSERT_TRUE(store_->SetCustomerParent("a", "hq", "").ok());
  EXPECT_THAT(*store_->CustomerPath("a", "support"), ElementsAre("hq", "support"));
}

// The attack of a restricted writer claiming a sibling's customer with its
// own breadcrumb, and its variants: refused inside the write, the whole
// batch with it; unknown and foreign customers get the same answer.
TEST_P(SessionStoreConformanceTest, RestrictedWritesMustSitInTheirSubtreePerTheDirectory) {
  ASSERT_TRUE(store_
                  ->UpsertSessions({MakeSession("a", "t1", 1, "support", {"root", "hq"}),
                                    MakeSession("a", "t2", 2, "sales", {"root"})})
                  .ok());
  const SessionStore::UpsertAuthority hq = RestrictedTo("hq");
  EXPECT_TRUE(UpsertAs({MakeSession("a", "s1", 1, "support", {"root", "hq"})}, hq).ok());
  EXPECT_TRUE(UpsertAs({MakeSession("a", "s2", 1, "hq", {"root"})}, hq).ok());

  const SessionInfo forged = MakeSession("a", "s3", 1, "sales", {"hq"});
  const SessionInfo ghost = MakeSession("a", "s4", 1, "ghost", {"root", "hq"});
  const SessionInfo above = MakeSession("a", "s5", 1, "root", {});
  absl::StatusOr<UpsertResult> refused = UpsertAs({forged}, hq);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(),
            "customer_id: outside the customer this token is restricted to");
  for (const SessionInfo& session : {ghost, above}) {
    EXPECT_EQ(UpsertAs({session}, hq).status(), refused.status()) << session.id();
  }
  // Its own customer with a made-up breadcrumb: the directory's path is expected.
  absl::StatusOr<UpsertResult> wrong_path =
      UpsertAs({MakeSession("a", "s6", 1, "support", {"hq"})}, hq);
  EXPECT_EQ(wrong_path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_path.status().message().find("customer_breadcrumb"), std::string::npos);
  EXPECT_NE(wrong_path.status().message().find("expected root, hq"), std::string::npos);
  // One bad session refuses the batch: nothing of it is written.
  EXPECT_FALSE(UpsertAs({MakeSession("a", "s7", 1, "support", {"root", "hq"}), forged}, hq).ok());
  for (const char* id : {"s3", "s4", "s5", "s6", "s7"}) {
    EXPECT_EQ(store_->GetSession("a", id).status().code(), absl::StatusCode::kNotFound) << id;
  }
  // Restricted writes teach nothing.
  EXPECT_EQ(UpsertAs({MakeSession("a", "s8", 1, "new-team", {"root", "hq"})}, hq).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->CustomerPath("a", "new-team").status().code(), absl::StatusCode::kNotFound);
}

// ---- revisions and the change feed

TEST_P(SessionStoreConformanceTest, EveryChangeGetsTheNextRevision) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  EXPECT_GT(r1, 0);
  auto batch = store_->UpsertSessions({MakeSession("a", "s2", 2), MakeSession("b", "s3", 3)});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->revision, r1 + 2);  // one revision per applied session
  EXPECT_EQ(Rename("a", "s1", "renamed"), r1 + 3);
  EXPECT_EQ(End("b", "s3"), r1 + 4);
}

TEST_P(SessionStoreConformanceTest, StaleUpsertTakesNoRevision) {
  SessionInfo newer = MakeSession("a", "s1", 1);
  newer.set_date_last_modified("2026-11-25T12:00:00Z");
  const int64_t r1 = Upsert(newer);
  auto stale = store_->UpsertSessions({MakeSession("a", "s1", 1)});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->stale, 1);
  EXPECT_EQ(stale->revision, 0);
  FeedPosition position;
  EXPECT_THAT(FeedAfter(*store_, 0, 0, &position),
              ElementsAre(Change{r1, "a", "s1", false, "Session s1"}));
  EXPECT_EQ(position.revision, r1);
  EXPECT_EQ(Upsert(MakeSession("a", "s2", 2)), r1 + 1);
}

TEST_P(SessionStoreConformanceTest, ChangesAfterGivesLatestStateInRevisionOrder) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  const int64_t r2 = Upsert(MakeSession("a", "s2", 2));
  const int64_t r3 = Rename("a", "s1", "second");
  const int64_t r4 = End("a", "s2");
  FeedPosition position;
  EXPECT_THAT(FeedAfter(*store_, 0, 0, &position),
              ElementsAre(Change{r3, "a", "s1", false, "second"},
                          Change{r4, "a", "s2", true, "Session s2"}));
  EXPECT_EQ(position.revision, r4);
  EXPECT_THAT(FeedAfter(*store_, r3), ElementsAre(Change{r4, "a", "s2", true, "Session s2"}));
  EXPECT_THAT(FeedAfter(*store_, r4, 0, &position), IsEmpty());
  EXPECT_EQ(position.revision, r4);
  EXPECT_LT(r1, r2);
}

TEST_P(SessionStoreConformanceTest, LimitStopsAtTheLastVisitedRevision) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  const int64_t r2 = Upsert(MakeSession("a", "s2", 2));
  const int64_t r3 = Upsert(MakeSession("a", "s3", 3));
  FeedPosition position;
  EXPECT_EQ(FeedAfter(*store_, 0, 2, &position).size(), 2u);
  EXPECT_EQ(position.revision, r2);
  EXPECT_THAT(FeedAfter(*store_, position.revision, 2, &position),
              ElementsAre(Change{r3, "a", "s3", false, "Session s3"}));
  EXPECT_EQ(position.revision, r3);
  EXPECT_LT(r1, r2);
}

TEST_P(SessionStoreConformanceTest, ListActiveChangesIsASnapshotWithItsRevision) {
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

TEST_P(SessionStoreConformanceTest, VisitorErrorStopsTheRead) {
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

TEST_P(SessionStoreConformanceTest, PurgeDeletesEndedSessionsAndRaisesTheHorizon) {
  RetentionOptions retention = ManualPurge();
  retention.keep_ended = absl::ZeroDuration();
  retention.purge_batch = 2;
  Open(retention);
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
  EXPECT_THAT(FeedAfter(*store_, ended.back(), 0, &position),
              ElementsAre(Change{active, "a", "live", false, "Session live"}));
  EXPECT_EQ(position.horizon, ended.back());
  EXPECT_EQ(store_->GetSession("a", "e0").status().code(), absl::StatusCode::kNotFound);

  auto too_old = store_->ChangesAfter(ended.back() - 1, 0, CollectInto(nullptr));
  EXPECT_EQ(too_old.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(too_old.status().message()),
              HasSubstr("horizon " + std::to_string(ended.back())));
}

TEST_P(SessionStoreConformanceTest, PurgeKeepsEndedSessionsInsideTheRetentionWindow) {
  Upsert(MakeSession("a", "s1", 1));
  End("a", "s1");
  EXPECT_EQ(*store_->PurgeExpired(), 0);  // the default window is 24 h
  EXPECT_TRUE(store_->GetSession("a", "s1").ok());
}

TEST_P(SessionStoreConformanceTest, BackgroundPurgeRuns) {
  RetentionOptions retention;
  retention.keep_ended = absl::ZeroDuration();
  retention.purge_interval = absl::Milliseconds(10);
  Open(retention);
  Upsert(MakeSession("a", "s1", 1));
  const int64_t ended = End("a", "s1");
  const absl::Time deadline = absl::Now() + absl::Minutes(2);
  while (store_->purge_stats().purged == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(store_->purge_stats().purged, 1);
  FeedPosition position;
  FeedAfter(*store_, ended, 0, &position);
  EXPECT_EQ(position.horizon, ended);
}

TEST_P(SessionStoreConformanceTest, RevisionsSurviveReopen) {
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  Open();
  EXPECT_THAT(FeedAfter(*store_, 0), ElementsAre(Change{r1, "a", "s1", false, "Session s1"}));
  EXPECT_EQ(Upsert(MakeSession("a", "s2", 2)), r1 + 1);
}

TEST_P(SessionStoreConformanceTest, WritesOfAnotherStoreOnTheSameDatabaseContinueTheSequence) {
  // As sessionsctl does next to the server, or another replica.
  std::unique_ptr<SessionStore> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  const int64_t r1 = Upsert(MakeSession("a", "s1", 1));
  auto r2 = other->UpsertSessions({MakeSession("a", "s2", 2)});
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->revision, r1 + 1);
  EXPECT_THAT(FeedAfter(*store_, r1), ElementsAre(Change{r1 + 1, "a", "s2", false, "Session s2"}));
  EXPECT_EQ(Upsert(MakeSession("a", "s3", 3)), r1 + 2);
}

// ---- beyond what the SQLite store's tests checked

// Ids compare as bytes (the live view's order), whatever the database's
// locale would say about case or accents.
TEST_P(SessionStoreConformanceTest, ListingsOrderIdsByTheirBytes) {
  const std::vector<std::string> ids = {"b", "B", "a_1", "\xC3\xA9", "a-2", "Z"};
  std::vector<SessionInfo> sessions;
  for (const std::string& id : ids) sessions.push_back(MakeSession("a", id, 1, "c", {"root"}));
  ASSERT_TRUE(store_->UpsertSessions(sessions).ok());
  const auto byte_order = ElementsAre("B", "Z", "a-2", "a_1", "b", "\xC3\xA9");
  EXPECT_THAT(Active("a"), byte_order);
  EXPECT_THAT(Active("a", "root"), byte_order);
  ActiveSessionsQuery page = Query("a");
  page.after_created = At(1);
  page.after_id = "Z";
  page.limit = 2;
  EXPECT_THAT(List(page), ElementsAre("a-2", "a_1"));
}

// Customer ids reach the listing table exactly, punctuation included.
TEST_P(SessionStoreConformanceTest, CustomerIdsArePunctuationSafe) {
  const std::string quoted = "c\"1,{x}";
  const std::string slashed = "r\\t";
  ASSERT_TRUE(store_->UpsertSessions({MakeSession("a", "s1", 1, quoted, {slashed})}).ok());
  EXPECT_THAT(Active("a", quoted), ElementsAre("s1"));
  EXPECT_THAT(Active("a", slashed), ElementsAre("s1"));
  EXPECT_THAT(Active("a", "c"), IsEmpty());
  EXPECT_THAT(*store_->CustomerPath("a", quoted), ElementsAre(slashed, quoted));
}

// Two stores on one database (two replicas, or the server and sessionsctl)
// write concurrently while a tailer follows the feed in small steps. A
// transaction that took a revision and committed after a later one would
// be skipped by the tailer forever (its position is already past it): the
// tailer must end with exactly every session's stored revision, having
// seen revisions only go up.
TEST_P(SessionStoreConformanceTest, InterleavedWritersOfTwoStoresNeverSkipATailer) {
  std::unique_ptr<SessionStore> other = OpenAnother();
  ASSERT_NE(other, nullptr);
  constexpr int kWritersPerStore = 2;
  constexpr int kWritesPerWriter = 120;
  absl::Mutex mu;
  std::map<std::string, int64_t> acknowledged;  // id -> newest acknowledged revision
  std::atomic<int> writers_left{2 * kWritersPerStore};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2 * kWritersPerStore; ++w) {
    SessionStore* store = w % 2 == 0 ? store_.get() : other.get();
    writers.emplace_back([&, store, w] {
      for (int i = 0; i < kWritesPerWriter; ++i) {
        // New sessions and updates of earlier ones (a later modification).
        const int n = i % 3 == 2 ? i - 2 : i;
        SessionInfo s = MakeSession("a", absl::StrCat("w", w, "-", n), n % 50);
        s.set_date_last_modified(
            absl::FormatTime(absl::RFC3339_full, At(0) + absl::Seconds(i), absl::UTCTimeZone()));
        absl::StatusOr<UpsertResult> r = store->UpsertSessions({s});
        if (!r.ok() || r->applied != 1) {
          ADD_FAILURE() << "write " << s.id() << ": " << r.status();
          break;
        }
        absl::MutexLock lock(&mu);
        int64_t& newest = acknowledged[s.id()];
        newest = std::max(newest, r->revision);
      }
      --writers_left;
    });
  }
  std::map<std::string, int64_t> seen;
  int64_t position = 0;
  bool increasing = true;
  auto read_step = [&] {
    absl::StatusOr<FeedPosition> read =
        store_->ChangesAfter(position, 7, [&](const SessionChange& change) {
          if (change.revision <= position) increasing = false;
          seen[std::string(change.session_id)] = change.revision;
          position = change.revision;
          return absl::OkStatus();
        });
    EXPECT_TRUE(read.ok()) << read.status();
    if (read.ok()) position = std::max(position, read->revision);
  };
  while (writers_left.load() > 0) read_step();
  for (std::thread& t : writers) t.join();
  for (int i = 0; i < 3; ++i) read_step();  // drain (7 at a time)
  int64_t last = -1;
  while (last != position) {
    last = position;
    read_step();
  }
  EXPECT_TRUE(increasing);
  std::map<std::string, int64_t> stored;
  ASSERT_TRUE(store_
                  ->ListActiveChanges([&](const SessionChange& change) {
                    stored[std::string(change.session_id)] = change.revision;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(stored.size(), acknowledged.size());
  EXPECT_EQ(seen, stored);
  for (const auto& [id, revision] : acknowledged) {
    EXPECT_GE(stored[id], revision) << id;
  }
}

}  // namespace
}  // namespace testutil
}  // namespace sessions
