#include "service/testing/watch_drain.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "voice/api/app/portal/v1/portal.pb.h"

namespace sessions::testutil {

std::vector<std::string> DrainWatch(Watch& watch, bool with_revisions) {
  namespace portal = ::voice::api::app::portal::v1;
  std::vector<std::string> out;
  portal::WatchActiveSessionsResponse message;
  absl::Status end;
  while (true) {
    const EventStream::Next next = watch.Pop(&message, &end);
    if (next == EventStream::Next::kPending) break;
    if (next == EventStream::Next::kEnded) {
      out.push_back(absl::StrCat("END:", absl::StatusCodeToString(end.code())));
      break;
    }
    std::string text(
        absl::StripPrefix(portal::WatchEventType_Name(message.type()), "WATCH_EVENT_TYPE_"));
    if (with_revisions) absl::StrAppend(&text, "@", message.revision());
    for (const auto& session : message.sessions()) absl::StrAppend(&text, ":", session.id());
    if (!message.session_id().empty()) absl::StrAppend(&text, ":-", message.session_id());
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace sessions::testutil
