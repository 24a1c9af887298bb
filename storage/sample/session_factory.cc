#include "storage/sample/session_factory.h"

#include <string>

#include "absl/strings/str_format.h"

namespace sessions::sample {
namespace {

using ::voice::api::sessions::v1::SessionInfo;
using ::voice::api::sessions::v1::SessionMemberInfo;

// `prefix` followed by filler derived from `n`, exactly `width` chars.
std::string Text(const char* prefix, int64_t n, size_t width) {
  std::string s = absl::StrFormat("%s%d-", prefix, n);
  while (s.size() < width) s += static_cast<char>('a' + (s.size() * 7 + n) % 26);
  s.resize(width);
  return s;
}

std::string Sid(const char* prefix, int64_t n) {  // Twilio-style: 2 letters + 32 hex
  return absl::StrFormat("%s%016x%016x", prefix, n * 2654435761u, n ^ 0x5bd1e995);
}

std::string Phone(int64_t n) { return absl::StrFormat("+1555%07d", n % 10000000); }

}  // namespace

std::string AccountId(int64_t index) { return absl::StrFormat("acct-%019d", index); }

std::string IngestAccountId() { return "acct-ingest-0000000000000"; }

std::string IsoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

absl::Time BaseTime() { return absl::FromUnixSeconds(1795593600); }  // 2026-11-25T08:00:00Z

void FillSession(const std::string& account_id, const std::string& id, int64_t seed,
                 absl::Time created_at, bool ended, SessionInfo* s) {
  namespace v1 = ::voice::api::sessions::v1;
  s->Clear();
  s->set_dial_state(v1::SESSION_DIAL_STATE_ACTIVE);
  s->set_call_state(ended ? v1::SESSION_CALL_STATE_DISCONNECTED
                          : static_cast<v1::SessionCallState>(1 + seed % 4));
  s->set_queue_state(static_cast<v1::SessionQueueStates>(seed % 6));
  s->set_account_id(account_id);
  s->set_account_name(Text("Account ", seed % 97, 20));
  s->set_customer_id(Text("cust-", seed % 13, 24));
  auto* top = s->add_customer_breadcrumb();
  top->set_id(Text("cust-top-", seed % 3, 24));
  top->set_name(Text("Top customer ", seed % 3, 20));
  auto* leaf = s->add_customer_breadcrumb();
  leaf->set_id(s->customer_id());
  leaf->set_name(Text("Customer ", seed % 13, 20));
  s->set_customer_name(leaf->name());
  s->set_endpoint_id(Text("ep-", seed % 31, 24));
  s->set_endpoint_name(Text("Front desk ", seed % 31, 20));
  s->set_destination(Phone(seed * 7));
  s->set_to_address(Phone(seed * 7));
  s->set_from_address(Phone(seed * 13 + 1));
  s->set_from_name(Text("Caller ", seed, 20));
  s->set_answered_by_name(Text("Agent ", seed % 50, 20));
  s->set_queue_member_id(Text("qm-", seed % 50, 24));
  s->set_channel(static_cast<::voice::api::flows::v1::FlowChannels>(seed % 3));
  s->set_ended(ended);
  s->set_call_sid(Sid("CA", seed));
  s->set_console_data(Text("{\"crm\":\"ticket-", seed, 60));
  s->set_hold_queue_name(Text("Hold queue ", seed % 5, 20));
  s->set_held_by_user_id(Text("user-", seed % 50, 24));
  s->set_hold_reason(static_cast<v1::SessionHoldReasons>(seed % 2));
  s->set_conference_sid(Sid("CF", seed));
  s->set_display_name(Text("Session ", seed, 20));
  for (int i = 0; i < 5; ++i) {
    auto* log = s->add_log();
    log->set_date(IsoTime(created_at + absl::Seconds(i * 3)));
    log->set_message(Text("State changed: member joined, queue step ", seed * 5 + i, 60));
  }
  for (int m = 0; m < 3; ++m) {
    SessionMemberInfo* member = s->add_members();
    member->set_identity(Text("member-", seed * 3 + m, 24));
    member->set_endpoint_id(Text("ep-", seed * 3 + m, 24));
    member->set_display_name(Text("Member ", seed * 3 + m, 20));
    member->set_is_original_member(m == 0);
    member->set_avatar_url(Text("https://cdn.example.com/avatars/", seed * 3 + m, 56));
    auto& data = *member->mutable_application_data();
    data["crm_contact_id"] = Text("contact-", seed + m, 20);
    data["language"] = "en-US";
    data["skill_group"] = Text("skills-", m, 16);
    member->set_call_state(static_cast<v1::SessionMemberCallState>(m % 4));
    member->set_role(static_cast<v1::SessionMemberRoles>(1 + m % 3));
    member->set_call_sid(Sid("CA", seed * 3 + m + 1));
    member->set_muted(m == 2);
  }
  s->set_callback_number(Phone(seed * 11));
  s->set_answered_by_id(Text("user-", seed % 50, 24));
  s->set_direction(static_cast<v1::SessionDirections>(seed % 2));
  s->set_from_phone_number(Phone(seed * 13 + 1));
  s->set_most_recent_participant_call_sid(Sid("CA", seed * 3 + 3));
  s->set_was_missed(seed % 17 == 0);
  s->set_ring_queue_id(Text("rq-", seed % 7, 24));
  s->set_id(id);
  s->set_date_created(IsoTime(created_at));
  s->set_date_last_modified(IsoTime(created_at + absl::Seconds(15)));
  s->set_created_by(Text("user-", seed % 50, 24));
  s->set_last_modified_by(Text("user-", (seed + 1) % 50, 24));
  if (ended) {
    s->set_date_completed(IsoTime(created_at + absl::Minutes(4)));
    s->set_outcome("Completed");
  }
}

// The writers' golden fixtures (every field set; a small session).
namespace {

void AddMember(SessionInfo* s, const std::string& id, bool original) {
  SessionMemberInfo* m = s->add_members();
  m->set_identity("identity-" + id);
  m->set_endpoint_id("member-endpoint-" + id);
  m->set_display_name("Member \"" + id + "\"");
  m->set_is_original_member(original);
  m->set_avatar_url("https://cdn.example.com/a/" + id + ".png");
  (*m->mutable_application_data())["agent"] = "Agent " + id;
  (*m->mutable_application_data())["skill"] = "sales, tier:2";
  m->set_call_state(voice::api::sessions::v1::SESSION_MEMBER_CALL_STATE_HOLD);
  m->set_role(voice::api::sessions::v1::SESSION_MEMBER_ROLES_AGENT);
  m->set_call_sid("CAmember" + id);
  m->set_muted(!original);
}

}  // namespace

SessionInfo FullSession() {
  SessionInfo s;
  s.set_dial_state(voice::api::sessions::v1::SESSION_DIAL_STATE_ACTIVE);
  s.set_call_state(voice::api::sessions::v1::SESSION_CALL_STATE_CONNECTED);
  s.set_queue_state(voice::api::sessions::v1::SESSION_QUEUE_STATES_QUEUED);
  s.set_account_id("acc_0000000000000000001");
  s.set_account_name("Acme Telephony");
  s.set_customer_id("cus_0000000000000000002");
  auto* b1 = s.add_customer_breadcrumb();
  b1->set_id("cus_top");
  b1->set_name("Top Customer");
  auto* b2 = s.add_customer_breadcrumb();
  b2->set_id("cus_0000000000000000002");
  b2->set_name("Sub Customer");
  s.set_customer_name("Sub Customer");
  s.set_endpoint_id("end_0000000000000000003");
  s.set_endpoint_name("Front desk");
  s.set_date_completed("2026-11-25T10:05:00Z");
  s.set_destination("+15551234567");
  s.set_to_address("+15551234567");
  s.set_from_address("+15557654321");
  s.set_from_name("Zoë Müller");
  s.set_answered_by_name("Agent Smith");
  s.set_queue_member_id("qm_1");
  s.set_channel(voice::api::flows::v1::FLOW_CHANNELS_FAX);
  s.set_ended(true);
  s.set_outcome("answered");
  s.set_call_sid("CA0123456789abcdef");
  s.set_console_data("{\"k\":\"v\\n\"}\t\x01");
  s.set_hold_queue_name("Hold Q");
  s.set_held_by_user_id("usr_9");
  s.set_hold_reason(voice::api::sessions::v1::SESSION_HOLD_REASONS_TRANSFERRING);
  s.set_conference_sid("CF42");
  s.set_display_name("Call with Zoë");
  auto* l1 = s.add_log();
  l1->set_date("2026-11-25T10:00:00Z");
  l1->set_message("Call started");
  auto* l2 = s.add_log();
  l2->set_date("2026-11-25T10:01:00Z");
  l2->set_message("Transferred to [queue], then: answered");
  AddMember(&s, "1", true);
  AddMember(&s, "2", false);
  s.set_callback_number("+15550000000");
  s.set_answered_by_id("end_answer");
  s.set_direction(voice::api::sessions::v1::SESSION_DIRECTIONS_OUTGOING);
  s.set_from_phone_number("+15557654321");
  s.set_most_recent_participant_call_sid("CArecent");
  s.set_was_missed(true);
  s.set_ring_queue_id("rq_7");
  s.set_id("ses_0000000000000000042");
  s.set_date_created("2026-11-25T10:00:00Z");
  s.set_date_last_modified("2026-11-25T10:05:00Z");
  s.set_created_by("usr_creator");
  s.set_last_modified_by("usr_modifier");
  return s;
}

SessionInfo SmallSession() {
  SessionInfo s;
  s.set_account_id("acc1");
  auto* b = s.add_customer_breadcrumb();
  b->set_id("c1");
  b->set_name("Top");
  auto* l = s.add_log();
  l->set_date("2026-11-25");
  l->set_message("hi");
  SessionMemberInfo* m = s.add_members();
  m->set_identity("u1");
  (*m->mutable_application_data())["k"] = "v";
  m->set_muted(true);
  s.set_id("s1");
  return s;
}

}  // namespace sessions::sample
