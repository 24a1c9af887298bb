#include "tools/live_sessions.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sessions::tools {
namespace {

namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

LiveSessions::WatchMessage Message(portal::WatchEventType type, int64_t revision) {
  LiveSessions::WatchMessage m;
  m.set_type(type);
  m.set_revision(revision);
  return m;
}

v1::SessionInfo Session(const std::string& id, v1::SessionCallState state,
                        const std::string& created) {
  v1::SessionInfo s;
  s.set_id(id);
  s.set_call_state(state);
  s.set_date_created(created);
  s.set_display_name("Call " + id);
  return s;
}

TEST(LiveSessionsTest, ReplaysAStreamIntoLinesAndAResumePoint) {
  LiveSessions live;
  auto snapshot = Message(portal::WATCH_EVENT_TYPE_SNAPSHOT, 7);
  *snapshot.add_sessions() = Session("b", v1::SESSION_CALL_STATE_CONNECTED, "2026-12-03T10:02:00Z");
  *snapshot.add_sessions() = Session("a", v1::SESSION_CALL_STATE_RINGING, "2026-12-03T10:01:00Z");
  EXPECT_THAT(live.Apply(snapshot), IsEmpty());
  EXPECT_EQ(live.resume_revision(), 0);  // not synced: a resume would list again
  EXPECT_THAT(live.Apply(Message(portal::WATCH_EVENT_TYPE_SYNCED, 7)),
              ElementsAre("7 synced 2 sessions"));
  EXPECT_EQ(live.resume_revision(), 7);

  auto upsert = Message(portal::WATCH_EVENT_TYPE_UPSERT, 9);
  *upsert.add_sessions() = Session("c", v1::SESSION_CALL_STATE_HOLD, "2026-12-03T10:00:00Z");
  EXPECT_THAT(live.Apply(upsert), ElementsAre("9 upsert c HOLD NONE Call c"));
  auto remove = Message(portal::WATCH_EVENT_TYPE_REMOVE, 10);
  remove.set_session_id("b");
  EXPECT_THAT(live.Apply(remove), ElementsAre("10 remove b"));
  EXPECT_THAT(live.Apply(Message(portal::WATCH_EVENT_TYPE_BOOKMARK, 12)), IsEmpty());
  EXPECT_EQ(live.resume_revision(), 12);
  EXPECT_EQ(live.size(), 2u);

  live.Reset();
  EXPECT_EQ(live.size(), 0u);
  EXPECT_EQ(live.resume_revision(), 0);
}

TEST(LiveSessionsTest, TableCountsStatesListsOldestFirstAndShowsNoControlBytes) {
  LiveSessions live;
  auto snapshot = Message(portal::WATCH_EVENT_TYPE_SNAPSHOT, 3);
  *snapshot.add_sessions() =
      Session("late", v1::SESSION_CALL_STATE_RINGING, "2026-12-03T11:00:00Z");
  *snapshot.add_sessions() =
      Session("early", v1::SESSION_CALL_STATE_RINGING, "2026-12-03T09:00:00Z");
  v1::SessionInfo hostile =
      Session("x\x1b[2J", v1::SESSION_CALL_STATE_CONNECTED, "2026-12-03T10:00:00Z");
  hostile.set_display_name("bell\a");
  *snapshot.add_sessions() = hostile;
  live.Apply(snapshot);
  live.Apply(Message(portal::WATCH_EVENT_TYPE_SYNCED, 3));
  const std::string table = live.Table("live", 10);
  EXPECT_THAT(table, HasSubstr("3 active sessions at revision 3 (live)"));
  EXPECT_THAT(table, HasSubstr("call:  CONNECTED 1  RINGING 2"));
  EXPECT_THAT(table, HasSubstr("queue: NONE 3"));
  EXPECT_LT(table.find("early"), table.find("x?[2J"));
  EXPECT_LT(table.find("x?[2J"), table.find("late"));
  EXPECT_THAT(table, Not(HasSubstr("\x1b")));
  EXPECT_THAT(table, Not(HasSubstr("\a")));
  EXPECT_THAT(live.Table("live", 1), HasSubstr("... 2 more"));
}

}  // namespace
}  // namespace sessions::tools
