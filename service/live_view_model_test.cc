// The live view's model test: random writes of every kind over three
// tenants and a customer tree (stale upserts and revivals included), then
// random filters with every page walked. After each step the view answers
// byte for byte what the SQL query answers at the same revision, and a
// customer-bounded listing keeps exactly the unbounded one's sessions of
// that subtree.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "service/live_view.h"
#include "storage/sqlite/sqlite_session_store.h"
#include "storage/testing/test_util.h"

namespace sessions {
namespace {

using testutil::MakeSession;

// Generous: a loaded 2-core machine under a sanitizer is slow, and a wait
// that succeeds returns at once.
constexpr absl::Duration kWait = absl::Minutes(2);

class LiveViewModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteStoreOptions options;
    options.retention.purge_interval = absl::ZeroDuration();
    auto store = SqliteSessionStore::Open(testutil::NewDatabasePath("view-model"), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto view = LiveView::Start(store_.get(), {});
    ASSERT_TRUE(view.ok()) << view.status();
    view_ = *std::move(view);
  }

  std::unique_ptr<SqliteSessionStore> store_;
  std::unique_ptr<LiveView> view_;
};

TEST_F(LiveViewModelTest, AnswersLikeTheStoreUnderRandomWrites) {
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
