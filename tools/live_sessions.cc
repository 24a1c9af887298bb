#include "tools/live_sessions.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sessions::tools {
namespace {

namespace v1 = ::voice::api::sessions::v1;
namespace portal = ::voice::api::app::portal::v1;

std::string WithoutPrefix(const std::string& name, absl::string_view prefix) {
  if (name.empty()) return "?";
  return absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
}

// Control characters would move a terminal's cursor: shown as '?'.
std::string Printable(absl::string_view text, size_t width) {
  std::string out;
  for (const char c : text) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (out.size() > width) out = out.substr(0, width - 1) + "~";
  return out;
}

}  // namespace

std::string LiveSessions::CallState(const SessionInfo& session) {
  return WithoutPrefix(v1::SessionCallState_Name(session.call_state()), "SESSION_CALL_STATE_");
}

std::string LiveSessions::QueueState(const SessionInfo& session) {
  return WithoutPrefix(v1::SessionQueueStates_Name(session.queue_state()), "SESSION_QUEUE_STATES_");
}

std::map<std::string, std::string> LiveSessions::DisplayNames() const {
  std::map<std::string, std::string> names;
  for (const auto& [id, session] : sessions_) names[id] = session.display_name();
  return names;
}

void LiveSessions::Reset() {
  sessions_.clear();
  revision_ = 0;
  synced_ = false;
}

std::vector<std::string> LiveSessions::Apply(const WatchMessage& message) {
  std::vector<std::string> lines;
  revision_ = std::max(revision_, message.revision());
  switch (message.type()) {
    case portal::WATCH_EVENT_TYPE_SNAPSHOT:
      for (const SessionInfo& s : message.sessions()) sessions_[s.id()] = s;
      break;
    case portal::WATCH_EVENT_TYPE_SYNCED:
      synced_ = true;
      lines.push_back(absl::StrCat(message.revision(), " synced ", sessions_.size(), " sessions"));
      break;
    case portal::WATCH_EVENT_TYPE_UPSERT:
      for (const SessionInfo& s : message.sessions()) {
        sessions_[s.id()] = s;
        lines.push_back(absl::StrCat(message.revision(), " upsert ", Printable(s.id(), 64), " ",
                                     CallState(s), " ", QueueState(s), " ",
                                     Printable(s.display_name(), 64)));
      }
      break;
    case portal::WATCH_EVENT_TYPE_REMOVE:
      sessions_.erase(message.session_id());
      lines.push_back(
          absl::StrCat(message.revision(), " remove ", Printable(message.session_id(), 64)));
      break;
    default:  // bookmarks: the revision only
      break;
  }
  return lines;
}

std::string LiveSessions::Table(const std::string& status, int max_rows) const {
  std::map<std::string, int> by_call, by_queue;
  std::vector<const SessionInfo*> rows;
  for (const auto& [id, s] : sessions_) {
    ++by_call[CallState(s)];
    ++by_queue[QueueState(s)];
    rows.push_back(&s);
  }
  std::sort(rows.begin(), rows.end(), [](const SessionInfo* a, const SessionInfo* b) {
    return std::tie(a->date_created(), a->id()) < std::tie(b->date_created(), b->id());
  });
  auto counts = [](const std::map<std::string, int>& m) {
    return absl::StrJoin(m, "  ", [](std::string* out, const auto& kv) {
      absl::StrAppend(out, kv.first, " ", kv.second);
    });
  };
  std::string out = absl::StrFormat("%d active sessions at revision %d (%s)\n", sessions_.size(),
                                    revision_, status);
  absl::StrAppend(&out, "call:  ", counts(by_call), "\nqueue: ", counts(by_queue), "\n\n");
  absl::StrAppendFormat(&out, "%-24s %-12s %-12s %-7s %-25s %s\n", "ID", "CALL", "QUEUE", "MEMBERS",
                        "CREATED", "NAME");
  int shown = 0;
  for (const SessionInfo* s : rows) {
    if (shown++ == max_rows) {
      absl::StrAppend(&out, "... ", rows.size() - static_cast<size_t>(max_rows), " more\n");
      break;
    }
    absl::StrAppendFormat(&out, "%-24s %-12s %-12s %-7d %-25s %s\n", Printable(s->id(), 24),
                          CallState(*s), QueueState(*s), s->members_size(),
                          Printable(s->date_created(), 25), Printable(s->display_name(), 40));
  }
  return out;
}

}  // namespace sessions::tools
