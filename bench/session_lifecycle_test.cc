#include "bench/session_lifecycle.h"

#include <map>
#include <set>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "voice/api/sessions/v1/ingest.pb.h"

namespace sessions::bench {
namespace {

namespace v1 = ::voice::api::sessions::v1;

// The session id a write is about.
std::string SessionIdOf(const LifecycleWrite& write) {
  switch (write.kind) {
    case WriteKind::kNewSession:
    case WriteKind::kStateChange: {
      v1::UpsertSessionRequest request;
      EXPECT_TRUE(request.ParseFromString(write.request));
      return request.session().id();
    }
    case WriteKind::kLogAppend: {
      v1::AppendSessionLogRequest request;
      EXPECT_TRUE(request.ParseFromString(write.request));
      return request.session_id();
    }
    case WriteKind::kMemberUpsert: {
      v1::UpsertSessionMemberRequest request;
      EXPECT_TRUE(request.ParseFromString(write.request));
      return request.session_id();
    }
    case WriteKind::kMemberRemove: {
      v1::RemoveSessionMemberRequest request;
      EXPECT_TRUE(request.ParseFromString(write.request));
      return request.session_id();
    }
    case WriteKind::kEnd: {
      v1::EndSessionRequest request;
      EXPECT_TRUE(request.ParseFromString(write.request));
      return request.session_id();
    }
  }
  return "";
}

TEST(SessionLifecycleTest, EverySessionLivesItsWholeLifeInOrderAndIdsAreNeverReused) {
  constexpr int kActive = 3;
  constexpr int kLives = 4;  // each open slot runs this many sessions
  SessionLifecycle lifecycle("acct-1", "mix-test", kActive, /*seed=*/7);
  std::map<std::string, std::vector<WriteKind>> writes_of;
  std::map<WriteKind, int> counts;
  std::map<std::string, std::string> last_modified;
  std::set<std::string> ended;
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < kActive * kLives * SessionLifecycle::kStages; ++i) {
    LifecycleWrite write;
    lifecycle.Next(now, &write);  // the clock stands still: dates must still advance
    const std::string id = SessionIdOf(write);
    ASSERT_FALSE(ended.count(id)) << "a write to ended session " << id;
    if (write.kind == WriteKind::kEnd) ended.insert(id);
    if (write.kind == WriteKind::kNewSession) {
      ASSERT_TRUE(writes_of[id].empty()) << "id reused: " << id;
    }
    if (write.kind == WriteKind::kNewSession || write.kind == WriteKind::kStateChange) {
      v1::UpsertSessionRequest request;
      ASSERT_TRUE(request.ParseFromString(write.request));
      EXPECT_EQ(request.session().account_id(), "acct-1");
      EXPECT_GT(request.session().date_last_modified(), last_modified[id]) << id;
      last_modified[id] = request.session().date_last_modified();
    }
    writes_of[id].push_back(write.kind);
    ++counts[write.kind];
  }
  EXPECT_EQ(writes_of.size(), static_cast<size_t>(kActive * kLives));
  const std::vector<WriteKind> life = {
      WriteKind::kNewSession,   WriteKind::kStateChange,  WriteKind::kLogAppend,
      WriteKind::kMemberUpsert, WriteKind::kStateChange,  WriteKind::kLogAppend,
      WriteKind::kStateChange,  WriteKind::kMemberRemove, WriteKind::kEnd};
  for (const auto& [id, kinds] : writes_of) EXPECT_EQ(kinds, life) << id;
  EXPECT_EQ(ended.size(), writes_of.size());
  const int sessions = kActive * kLives;
  EXPECT_EQ(counts[WriteKind::kStateChange], 3 * sessions);
  EXPECT_EQ(counts[WriteKind::kLogAppend], 2 * sessions);
}

TEST(SessionLifecycleTest, UpsertsCarryTheMembersAndLogTheOtherWritesAdded) {
  SessionLifecycle lifecycle("acct-1", "mix-test", /*active=*/1, /*seed=*/1);
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  LifecycleWrite write;
  lifecycle.Next(now, &write);  // new
  v1::UpsertSessionRequest created;
  ASSERT_TRUE(created.ParseFromString(write.request));
  for (int stage = 1; stage <= 4; ++stage) lifecycle.Next(now, &write);  // ... on hold
  ASSERT_EQ(write.kind, WriteKind::kStateChange);
  v1::UpsertSessionRequest on_hold;
  ASSERT_TRUE(on_hold.ParseFromString(write.request));
  EXPECT_EQ(on_hold.session().call_state(), v1::SESSION_CALL_STATE_HOLD);
  EXPECT_EQ(on_hold.session().log_size(), created.session().log_size() + 1);
  EXPECT_EQ(on_hold.session().members_size(), created.session().members_size() + 1);
}

}  // namespace
}  // namespace sessions::bench
