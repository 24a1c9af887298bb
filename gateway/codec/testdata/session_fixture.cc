// Test fixtures for the response writer tests (session_fixture.h).

#include "gateway/codec/testdata/session_fixture.h"

#include <string>

namespace sessions::gateway::testing {

using voice::api::sessions::v1::SessionInfo;
using voice::api::sessions::v1::SessionMemberInfo;

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

}  // namespace sessions::gateway::testing
