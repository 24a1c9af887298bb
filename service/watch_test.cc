// Watch on its own: message order (snapshot chunks, SYNCED, changes by
// revision), coalescing, overflow, bookmarks, filters, the resume merge.
#include "service/watch.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/testing/watch_drain.h"
#include "storage/testing/test_util.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions {
namespace {

namespace portal = ::voice::api::app::portal::v1;
using ::testing::ElementsAre;

const absl::Time kStart = absl::FromUnixSeconds(1800000000);

ViewEntryPtr Entry(const std::string& id, int64_t revision, const std::string& customer = "",
                   const std::string& account = "a") {
  SessionInfo session = testutil::MakeSession(account, id, 1, customer);
  const std::string data = session.SerializeAsString();
  SessionChange change;
  change.revision = revision;
  change.account_id = account;
  change.session_id = id;
  change.data = data;
  return *MakeViewEntry(change);
}

WatchFilter Account(const std::string& account = "a") {
  WatchFilter filter;
  filter.account_id = account;
  return filter;
}

std::vector<std::string> Drain(Watch& watch) {
  return testutil::DrainWatch(watch, /*with_revisions=*/true);
}

TEST(WatchTest, SnapshotInChunksThenSyncedThenChangesInRevisionOrder) {
  WatchOptions options;
  options.snapshot_chunk = 2;
  WatchCounters counters;
  Watch watch(Account(), options, &counters, {Entry("s1", 3), Entry("s2", 4), Entry("s3", 5)}, 10,
              false, kStart);
  EXPECT_FALSE(watch.OnChange(9, "s1", nullptr, Entry("s1", 9)));  // covered by the snapshot
  watch.OnChange(11, "s4", nullptr, Entry("s4", 11));
  ViewEntryPtr s2 = Entry("s2", 4);
  watch.OnChange(12, "s2", s2.get(), nullptr);
  EXPECT_THAT(Drain(watch), ElementsAre("SNAPSHOT@10:s1:s2", "SNAPSHOT@10:s3", "SYNCED@10",
                                        "UPSERT@11:s4", "REMOVE@12:-s2"));
  EXPECT_EQ(counters.events_sent.load(), 5);
}

TEST(WatchTest, TheWireFormIsTheMessage) {
  WatchOptions options;
  options.snapshot_chunk = 2;
  WatchCounters counters;
  auto make = [&] {
    auto watch = std::make_unique<Watch>(
        Account(), options, &counters,
        std::vector<ViewEntryPtr>{Entry("s1", 3), Entry("s2", 4), Entry("s3", 5)}, 10, false,
        kStart);
    ViewEntryPtr s2 = Entry("s2", 4);
    watch->OnChange(11, "s4", nullptr, Entry("s4", 11));
    watch->OnChange(12, "s2", s2.get(), nullptr);
    return watch;
  };
  std::unique_ptr<Watch> as_messages = make();
  std::unique_ptr<Watch> as_bytes = make();
  portal::WatchActiveSessionsResponse message;
  std::string bytes;
  absl::Status end;
  int messages = 0;
  while (as_messages->Pop(&message, &end) == EventStream::Next::kMessage) {
    ASSERT_EQ(as_bytes->PopSerialized(&bytes, &end), EventStream::Next::kMessage);
    // Byte for byte: these sessions have no map entries (whose order
    // protobuf does not fix).
    EXPECT_EQ(bytes, message.SerializeAsString()) << message.ShortDebugString();
    ++messages;
  }
  EXPECT_EQ(messages, 5);  // 2 snapshot chunks, synced, upsert, remove
  EXPECT_EQ(as_bytes->PopSerialized(&bytes, &end), EventStream::Next::kPending);
}

TEST(WatchTest, AnUnsentChangeIsReplacedByTheNewerOneAtItsRevision) {
  WatchCounters counters;
  Watch watch(Account(), {}, &counters, {}, 0, false, kStart);
  ViewEntryPtr v1 = Entry("s1", 1);
  watch.OnChange(1, "s1", nullptr, v1);
  watch.OnChange(2, "s2", nullptr, Entry("s2", 2));
  watch.OnChange(3, "s1", v1.get(), Entry("s1", 3));
  EXPECT_THAT(Drain(watch), ElementsAre("SYNCED@0", "UPSERT@2:s2", "UPSERT@3:s1"));
  EXPECT_EQ(counters.coalesced.load(), 1);
}

TEST(WatchTest, OverflowEndsTheStream) {
  WatchOptions options;
  options.max_pending = 2;
  WatchCounters counters;
  Watch watch(Account(), options, &counters, {}, 0, false, kStart);
  for (int i = 1; i <= 3; ++i) {
    watch.OnChange(i, "s" + std::to_string(i), nullptr, Entry("s" + std::to_string(i), i));
  }
  EXPECT_THAT(Drain(watch), ElementsAre("END:RESOURCE_EXHAUSTED"));
  EXPECT_EQ(counters.overflowed.load(), 1);
  EXPECT_TRUE(watch.Finished());
}

TEST(WatchTest, OtherAccountsAndCustomersOutsideTheRestrictionAreInvisible) {
  WatchFilter filter = Account();
  filter.restrict_to = "hq";
  WatchCounters counters;
  Watch watch(filter, {}, &counters, {}, 0, false, kStart);
  Drain(watch);  // SYNCED
  EXPECT_FALSE(watch.OnChange(1, "x", nullptr, Entry("x", 1, "hq", "other")));
  EXPECT_FALSE(watch.OnChange(2, "y", nullptr, Entry("y", 2, "sales")));
  EXPECT_TRUE(watch.OnChange(3, "z", nullptr, Entry("z", 3, "hq")));
  EXPECT_THAT(Drain(watch), ElementsAre("UPSERT@3:z"));
}

TEST(WatchTest, BookmarksOnIdleStreamsOnly) {
  WatchOptions options;
  options.bookmark_interval = absl::Seconds(10);
  WatchCounters counters;
  Watch watch(Account(), options, &counters, {}, 5, false, kStart);
  Drain(watch);
  EXPECT_FALSE(watch.OnRevision(7, kStart + absl::Seconds(5)));
  EXPECT_TRUE(watch.OnRevision(8, kStart + absl::Seconds(11)));
  EXPECT_THAT(Drain(watch), ElementsAre("BOOKMARK@8"));
  EXPECT_FALSE(watch.OnRevision(9, kStart + absl::Seconds(12)));  // an interval after the last
  EXPECT_TRUE(watch.OnRevision(9, kStart + absl::Seconds(22)));
  EXPECT_THAT(Drain(watch), ElementsAre("BOOKMARK@9"));
}

TEST(WatchTest, EndsAtItsLifetime) {
  WatchOptions options;
  options.max_lifetime = absl::Minutes(1);
  options.bookmark_interval = absl::Hours(1);
  WatchCounters counters;
  Watch watch(Account(), options, &counters, {}, 5, false, kStart);
  Drain(watch);
  EXPECT_FALSE(watch.OnRevision(6, kStart + absl::Seconds(59)));
  EXPECT_TRUE(watch.OnRevision(6, kStart + absl::Seconds(61)));
  EXPECT_THAT(Drain(watch), ElementsAre("END:UNAVAILABLE"));
}

TEST(WatchTest, ResumeSendsReplayThenSyncedAndDropsOlderLiveChanges) {
  WatchCounters counters;
  WatchFilter filter = Account();
  Watch watch(filter, {}, &counters, {}, 10, /*resume=*/true, kStart);
  EXPECT_FALSE(watch.OnChange(10, "old", nullptr, Entry("old", 10)));  // the client has it
  watch.OnChange(12, "s1", nullptr, Entry("s1", 12));                  // live, while replaying
  EXPECT_THAT(Drain(watch), ElementsAre());                            // nothing before the replay
  watch.Replay(13, "s1", Entry("s1", 13), false);                      // newer state wins
  ViewEntryPtr gone = Entry("s2", 11);
  watch.Replay(11, "s2", nullptr, filter.MayAnnounceRemoval(*gone));
  EXPECT_TRUE(watch.FinishReplay(13));
  EXPECT_FALSE(watch.OnChange(13, "s1", nullptr, Entry("s1", 13)));  // the view catching up
  watch.OnChange(14, "s3", nullptr, Entry("s3", 14));
  EXPECT_THAT(Drain(watch),
              ElementsAre("REMOVE@11:-s2", "UPSERT@13:s1", "SYNCED@13", "UPSERT@14:s3"));
}

TEST(WatchTest, RestrictedResumeNeverAnnouncesSessionsOutsideItsSubtree) {
  WatchFilter filter = Account();
  filter.customer_id = "hq";
  filter.restrict_to = "hq";
  EXPECT_TRUE(filter.MayAnnounceRemoval(*Entry("s1", 1, "hq")));
  EXPECT_FALSE(filter.MayAnnounceRemoval(*Entry("s2", 1, "sales")));
  EXPECT_FALSE(filter.MayAnnounceRemoval(*Entry("s3", 1, "hq", "other")));
  WatchFilter whole_account = Account();
  EXPECT_TRUE(whole_account.MayAnnounceRemoval(*Entry("s2", 1, "sales")));
}

TEST(WatchTest, EndAndCancel) {
  WatchCounters counters;
  Watch watch(Account(), {}, &counters, {Entry("s1", 1)}, 1, false, kStart);
  int wakes = 0;
  watch.SetWakeup([&] { ++wakes; });
  EXPECT_FALSE(watch.End(absl::UnavailableError("bye")));  // it was ready already
  EXPECT_THAT(Drain(watch), ElementsAre("END:UNAVAILABLE"));
  watch.Cancel();
  watch.Wake();
  EXPECT_EQ(wakes, 0);
}

}  // namespace
}  // namespace sessions
