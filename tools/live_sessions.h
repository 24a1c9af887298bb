// LiveSessions: what `sessionsctl watch` knows of an account's active
// sessions, replayed from a WatchActiveSessions stream (snapshot, synced,
// upserts, removes, bookmarks), and how it shows them: a refreshing table
// for a terminal (like `top`), or one line per change for a pipe.
//
//   LiveSessions live;
//   for (const auto& m : stream) for (const std::string& line : live.Apply(m)) print(line);
//   print(live.Table(now));
//
// Not thread-safe: one stream feeds it.
#ifndef TOOLS_LIVE_SESSIONS_H_
#define TOOLS_LIVE_SESSIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::tools {

class LiveSessions {
 public:
  using WatchMessage = ::voice::api::app::portal::v1::WatchActiveSessionsResponse;
  using SessionInfo = ::voice::api::sessions::v1::SessionInfo;

  // Applies one message and returns its change lines (what a pipe shows):
  //   "<revision> upsert <id> <call state> <queue state> <display name>"
  //   "<revision> remove <id>"
  //   "<revision> synced <n> sessions"
  // Snapshot and bookmark messages give no line (the snapshot's sessions
  // are summed up by the synced line).
  std::vector<std::string> Apply(const WatchMessage& message);

  // Starts over (a resume was refused as older than the compaction
  // horizon: the next stream sends a new snapshot).
  void Reset();

  // The revision to resume from (0 until synced: a resume before the
  // snapshot completed must list again).
  int64_t resume_revision() const { return synced_ ? revision_ : 0; }
  int64_t revision() const { return revision_; }
  bool synced() const { return synced_; }
  size_t size() const { return sessions_.size(); }
  // The sessions believed active, by id.
  const std::map<std::string, SessionInfo>& sessions() const { return sessions_; }
  // Their display names, by id (what tests compare with a listing).
  std::map<std::string, std::string> DisplayNames() const;

  // The table a terminal shows, at most `max_rows` sessions (oldest first),
  // with a header of counts by call state and queue state and `status`
  // (e.g. "live", "connection lost, resuming from 42").
  std::string Table(const std::string& status, int max_rows) const;

  // "RINGING" for SESSION_CALL_STATE_RINGING, and so on.
  static std::string CallState(const SessionInfo& session);
  static std::string QueueState(const SessionInfo& session);

 private:
  // id -> session; ordered for the table by (date_created, id).
  std::map<std::string, SessionInfo> sessions_;
  int64_t revision_ = 0;
  bool synced_ = false;
};

}  // namespace sessions::tools

#endif  // TOOLS_LIVE_SESSIONS_H_
