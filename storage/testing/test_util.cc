#include "storage/testing/test_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace sessions {
namespace testutil {

std::string NewDatabasePath(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr && *dir != '\0' ? dir : "/tmp", "/", name, "-", getpid(), "-",
                      counter++, ".db");
}

SessionInfo MakeSession(const std::string& account_id, const std::string& id, int created_minute,
                        const std::string& customer_id,
                        const std::vector<std::string>& breadcrumb) {
  SessionInfo session;
  session.set_account_id(account_id);
  session.set_id(id);
  session.set_customer_id(customer_id);
  for (const std::string& crumb : breadcrumb) {
    auto* entry = session.add_customer_breadcrumb();
    entry->set_id(crumb);
    entry->set_name(absl::StrCat("Customer ", crumb));
  }
  const std::string date =
      absl::StrFormat("2026-11-25T%02d:%02d:00Z", 10 + created_minute / 60, created_minute % 60);
  session.set_date_created(date);
  session.set_date_last_modified(date);
  session.set_display_name(absl::StrCat("Session ", id));
  return session;
}

std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<SessionInfo>& sessions) {
  std::vector<std::string> ids;
  for (const SessionInfo& session : sessions) ids.push_back(session.id());
  return ids;
}

bool WaitUntil(std::function<bool()> condition, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

}  // namespace testutil
}  // namespace sessions
