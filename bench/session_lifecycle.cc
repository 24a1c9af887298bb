#include "bench/session_lifecycle.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/sample/session_factory.h"
#include "voice/api/sessions/v1/ingest.pb.h"

namespace sessions::bench {
namespace {

namespace v1 = ::voice::api::sessions::v1;

constexpr char kUpsert[] = "/voice.api.sessions.v1.SessionIngestService/UpsertSession";
constexpr char kAppendLog[] = "/voice.api.sessions.v1.SessionIngestService/AppendSessionLog";
constexpr char kUpsertMember[] = "/voice.api.sessions.v1.SessionIngestService/UpsertSessionMember";
constexpr char kRemoveMember[] = "/voice.api.sessions.v1.SessionIngestService/RemoveSessionMember";
constexpr char kEnd[] = "/voice.api.sessions.v1.SessionIngestService/EndSession";

v1::SessionLogInfo LogEntry(absl::Time now, const std::string& message) {
  v1::SessionLogInfo entry;
  entry.set_date(sample::IsoTime(now));
  entry.set_message(message);
  return entry;
}

v1::SessionMemberInfo Agent(const v1::SessionInfo& session) {
  v1::SessionMemberInfo agent;
  agent.set_identity("agent-" + session.answered_by_id());
  agent.set_display_name(session.answered_by_name());
  agent.set_endpoint_id(session.endpoint_id());
  agent.set_call_state(v1::SESSION_MEMBER_CALL_STATE_CONNECTED);
  agent.set_role(v1::SESSION_MEMBER_ROLES_AGENT);
  agent.set_call_sid(session.call_sid() + "-agent");
  (*agent.mutable_application_data())["skill_group"] = "support";
  return agent;
}

}  // namespace

SessionLifecycle::SessionLifecycle(std::string account, std::string id_prefix, int active,
                                   int64_t seed)
    : account_(std::move(account)),
      id_prefix_(std::move(id_prefix)),
      seed_(seed),
      live_(std::max(1, active)) {}

void SessionLifecycle::Upsert(Live* live, absl::Time now, WriteKind kind, LifecycleWrite* out) {
  // Dated after the previous upsert even when the clock has not moved on
  // (the store keeps milliseconds).
  const absl::Time dated = std::max(now, live->last_dated + absl::Milliseconds(1));
  live->last_dated = dated;
  live->session.set_date_last_modified(sample::IsoTime(dated));
  v1::UpsertSessionRequest request;
  *request.mutable_session() = live->session;
  out->kind = kind;
  out->method = kUpsert;
  request.SerializeToString(&out->request);
}

void SessionLifecycle::Next(absl::Time now, LifecycleWrite* out) {
  Live& live = live_[next_];
  next_ = (next_ + 1) % live_.size();
  v1::SessionInfo& s = live.session;
  const int stage = live.stage;
  live.stage = (stage + 1) % kStages;
  switch (stage) {
    case 0: {  // a new call rings
      const int64_t n = created_++;
      sample::FillSession(account_, absl::StrCat(id_prefix_, "-", n), seed_ + n, now,
                          /*ended=*/false, &s);
      s.set_call_state(v1::SESSION_CALL_STATE_RINGING);
      s.set_queue_state(v1::SESSION_QUEUE_STATES_RINGING);
      live.last_dated = absl::InfinitePast();
      return Upsert(&live, now, WriteKind::kNewSession, out);
    }
    case 1:  // answered
      s.set_call_state(v1::SESSION_CALL_STATE_CONNECTED);
      s.set_queue_state(v1::SESSION_QUEUE_STATES_CONNECTED);
      return Upsert(&live, now, WriteKind::kStateChange, out);
    case 2:
    case 5: {  // a log entry
      v1::AppendSessionLogRequest request;
      request.set_account_id(s.account_id());
      request.set_session_id(s.id());
      *request.mutable_entry() = LogEntry(now, stage == 2 ? "Answered by agent" : "Placed on hold");
      *s.add_log() = request.entry();
      out->kind = WriteKind::kLogAppend;
      out->method = kAppendLog;
      request.SerializeToString(&out->request);
      return;
    }
    case 3: {  // the agent joins
      v1::UpsertSessionMemberRequest request;
      request.set_account_id(s.account_id());
      request.set_session_id(s.id());
      *request.mutable_member() = Agent(s);
      *s.add_members() = request.member();
      out->kind = WriteKind::kMemberUpsert;
      out->method = kUpsertMember;
      request.SerializeToString(&out->request);
      return;
    }
    case 4:  // on hold
      s.set_call_state(v1::SESSION_CALL_STATE_HOLD);
      s.set_queue_state(v1::SESSION_QUEUE_STATES_HOLD);
      s.set_hold_reason(v1::SESSION_HOLD_REASONS_TRANSFERRING);
      return Upsert(&live, now, WriteKind::kStateChange, out);
    case 6:  // off hold
      s.set_call_state(v1::SESSION_CALL_STATE_CONNECTED);
      s.set_queue_state(v1::SESSION_QUEUE_STATES_CONNECTED);
      s.set_hold_reason(v1::SESSION_HOLD_REASONS_NONE);
      return Upsert(&live, now, WriteKind::kStateChange, out);
    case 7: {  // the agent leaves
      v1::RemoveSessionMemberRequest request;
      request.set_account_id(s.account_id());
      request.set_session_id(s.id());
      request.set_identity(s.members(s.members_size() - 1).identity());
      s.mutable_members()->RemoveLast();
      out->kind = WriteKind::kMemberRemove;
      out->method = kRemoveMember;
      request.SerializeToString(&out->request);
      return;
    }
    default: {  // ended
      v1::EndSessionRequest request;
      request.set_account_id(s.account_id());
      request.set_session_id(s.id());
      request.set_date_completed(sample::IsoTime(now));
      request.set_outcome("Completed");
      out->kind = WriteKind::kEnd;
      out->method = kEnd;
      request.SerializeToString(&out->request);
      return;
    }
  }
}

}  // namespace sessions::bench
