#include "storage/sample/demo_data.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/iso_time.h"
#include "common/status_macros.h"

namespace sessions {
namespace {

namespace v1 = ::voice::api::sessions::v1;
using ::voice::api::flows::v1::FlowChannels;

// One customer of a demo account and its ancestry (top-most first).
struct DemoCustomer {
  const char* id;
  const char* name;
  std::vector<std::pair<const char*, const char*>> path;  // breadcrumb (id, name)
};

struct DemoAccount {
  const char* id;
  const char* name;
  int active;
  int ended;
  std::vector<DemoCustomer> customers;
};

const std::vector<DemoAccount>& Accounts() {
  static const auto* accounts = new std::vector<DemoAccount>{
      {"acct-demo-1",
       "Acme Telecom",
       12,
       5,
       {{"cust-acme-hq", "Acme HQ", {{"cust-acme", "Acme Group"}, {"cust-acme-hq", "Acme HQ"}}},
        {"cust-acme-support",
         "Support Desk",
         {{"cust-acme", "Acme Group"},
          {"cust-acme-hq", "Acme HQ"},
          {"cust-acme-support", "Support Desk"}}},
        {"cust-acme-sales",
         "Sales EMEA",
         {{"cust-acme", "Acme Group"},
          {"cust-acme-emea", "Acme EMEA"},
          {"cust-acme-sales", "Sales EMEA"}}},
        {"cust-acme-emea",
         "Acme EMEA",
         {{"cust-acme", "Acme Group"}, {"cust-acme-emea", "Acme EMEA"}}}}},
      {"acct-demo-2",
       "Globex Health",
       6,
       3,
       {{"cust-globex-clinic",
         "Downtown Clinic",
         {{"cust-globex", "Globex Health"}, {"cust-globex-clinic", "Downtown Clinic"}}},
        {"cust-globex-lab",
         "Night Lab",
         {{"cust-globex", "Globex Health"},
          {"cust-globex-clinic", "Downtown Clinic"},
          {"cust-globex-lab", "Night Lab"}}}}},
  };
  return *accounts;
}

constexpr const char* kPeople[] = {"Ada Lovelace",      "Grace Hopper",     "Alan Turing",
                                   "Katherine Johnson", "Edsger Dijkstra",  "Barbara Liskov",
                                   "Linus Torvalds",    "Margaret Hamilton"};
constexpr int kPeopleCount = sizeof(kPeople) / sizeof(kPeople[0]);

std::string Date(absl::Duration offset) {
  const absl::Time base =
      absl::FromCivil(absl::CivilSecond(2026, 11, 25, 9, 0, 0), absl::UTCTimeZone());
  return FormatIsoTime(base + offset);
}

void AddMembers(int n, int* member_counter, SessionInfo* session) {
  const int count = 1 + n % 3;
  for (int m = 0; m < count; ++m) {
    const int k = (*member_counter)++;
    v1::SessionMemberInfo* member = session->add_members();
    member->set_identity(absl::StrFormat("user-%03d", k % 40));
    member->set_endpoint_id(absl::StrFormat("ep-%03d", k % 25));
    member->set_display_name(kPeople[k % kPeopleCount]);
    member->set_is_original_member(m == 0);
    member->set_avatar_url(absl::StrFormat("https://avatars.example.com/u/%03d.png", k % 40));
    (*member->mutable_application_data())["crm_contact"] = absl::StrFormat("C-%05d", 1000 + k);
    if (k % 2 == 0) (*member->mutable_application_data())["language"] = k % 4 ? "en-GB" : "de-DE";
    member->set_call_state(static_cast<v1::SessionMemberCallState>(k % 4));
    member->set_role(static_cast<v1::SessionMemberRoles>(k % 4));
    member->set_call_sid(absl::StrFormat("CA%032x", 0xa000 + k));
    member->set_muted(k % 5 == 3);
  }
}

SessionInfo MakeDemoSession(const DemoAccount& account, int index, int n, bool ended,
                            int* member_counter) {
  const DemoCustomer& customer = account.customers[index % account.customers.size()];
  SessionInfo s;
  s.set_id(absl::StrFormat("%s-sess-%03d", account.id + 5, index + 1));  // "demo-1-sess-001"
  s.set_account_id(account.id);
  s.set_account_name(account.name);
  s.set_customer_id(customer.id);
  s.set_customer_name(customer.name);
  for (const auto& [id, name] : customer.path) {
    if (std::string(id) == customer.id) continue;  // the path above the customer
    auto* crumb = s.add_customer_breadcrumb();
    crumb->set_id(id);
    crumb->set_name(name);
  }
  s.set_dial_state(static_cast<v1::SessionDialState>(n % 2));
  s.set_call_state(static_cast<v1::SessionCallState>(n % 5));
  s.set_queue_state(static_cast<v1::SessionQueueStates>(n % 6));
  s.set_direction(static_cast<v1::SessionDirections>(n % 2));
  s.set_hold_reason(static_cast<v1::SessionHoldReasons>(n % 7 == 3 ? 1 : 0));
  s.set_channel(static_cast<FlowChannels>(n % 3));
  s.set_endpoint_id(absl::StrFormat("ep-%03d", n % 25));
  s.set_endpoint_name(absl::StrCat("Desk phone ", n % 25));
  s.set_destination(absl::StrFormat("+4420794600%02d", n));
  s.set_to_address(absl::StrFormat("+4420794600%02d", n));
  s.set_from_address(absl::StrFormat("+1555010%04d", 100 + n));
  s.set_from_name(kPeople[(n + 3) % kPeopleCount]);
  s.set_from_phone_number(absl::StrFormat("+1555010%04d", 100 + n));
  s.set_callback_number(absl::StrFormat("+1555020%04d", 100 + n));
  s.set_display_name(absl::StrCat(kPeople[(n + 3) % kPeopleCount], " → ", customer.name));
  s.set_call_sid(absl::StrFormat("CA%032x", 0xc000 + n));
  s.set_queue_member_id(absl::StrFormat("qm-%02d", n % 9));
  s.set_ring_queue_id(absl::StrFormat("rq-%s", n % 2 ? "sales" : "support"));
  s.set_console_data(absl::StrFormat("{\"ticket\":\"T-%04d\",\"priority\":%d}", 4000 + n, n % 3));
  if (s.call_state() == v1::SESSION_CALL_STATE_HOLD || n % 7 == 3) {
    s.set_hold_queue_name("Default hold music");
    s.set_held_by_user_id(absl::StrFormat("user-%03d", n % 40));
  }
  if (n % 4 == 1) {
    s.set_conference_sid(absl::StrFormat("CF%032x", 0xf000 + n));
    s.set_most_recent_participant_call_sid(absl::StrFormat("CA%032x", 0xd000 + n));
  }
  if (s.call_state() == v1::SESSION_CALL_STATE_CONNECTED || ended) {
    s.set_answered_by_id(absl::StrFormat("ep-%03d", (n + 1) % 25));
    s.set_answered_by_name(kPeople[(n + 1) % kPeopleCount]);
  }
  s.set_was_missed(ended && n % 2 == 0);
  s.set_ended(ended);
  const absl::Duration created = absl::Minutes(7 * n) + absl::Seconds(n % 4 * 15);
  s.set_date_created(Date(created));
  s.set_date_last_modified(Date(created + absl::Seconds(30 + n)));
  s.set_created_by("call-control");
  s.set_last_modified_by(n % 2 ? "call-control" : "queue-router");
  s.add_log()->set_date(Date(created));
  s.mutable_log(0)->set_message("Session created");
  s.add_log()->set_date(Date(created + absl::Seconds(10)));
  s.mutable_log(1)->set_message(absl::StrCat("Routed to ", customer.name));
  if (ended) {
    s.set_date_completed(Date(created + absl::Minutes(4)));
    s.set_outcome(s.was_missed() ? "Missed" : "Completed");
    auto* log = s.add_log();
    log->set_date(s.date_completed());
    log->set_message(absl::StrCat("Session ended: ", s.outcome()));
  }
  AddMembers(n, member_counter, &s);
  return s;
}

}  // namespace

std::vector<SessionInfo> DemoSessions() {
  std::vector<SessionInfo> sessions;
  int n = 0;
  int member_counter = 0;
  for (const DemoAccount& account : Accounts()) {
    const int total = account.active + account.ended;
    for (int i = 0; i < total; ++i) {
      // Every third-ish session has ended, spread through the day.
      const bool ended = (i % 3 == 2) && (i / 3) < account.ended;
      sessions.push_back(MakeDemoSession(account, i, n++, ended, &member_counter));
    }
  }
  return sessions;
}

absl::Status FillDemoData(SessionStore* store) {
  bool empty = true;
  absl::Status scan = store->ForEachSession([&](const SessionInfo&) {
    empty = false;
    return absl::CancelledError("not empty");  // stop at the first session
  });
  if (empty) RETURN_IF_ERROR(scan);
  if (!empty) return absl::OkStatus();
  return store->UpsertSessions(DemoSessions()).status();
}

}  // namespace sessions
