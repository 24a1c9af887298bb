// Test helpers for code that uses the stores: fresh database paths in the
// test's temp dir, terse SessionInfo builders and a bounded wait.
#ifndef STORAGE_TESTING_TEST_UTIL_H_
#define STORAGE_TESTING_TEST_UTIL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "storage/session_store.h"

namespace sessions {
namespace testutil {

// Returns a path for a new database file under $TEST_TMPDIR (or /tmp),
// unique within the process run. The file does not exist yet.
std::string NewDatabasePath(const std::string& name = "store");

// Returns an active session with the fields the store indexes. Dates are
// ISO-8601 UTC, `created_minute` minutes after 2026-11-25T10:00:00Z;
// date_last_modified equals date_created.
SessionInfo MakeSession(const std::string& account_id, const std::string& id, int created_minute,
                        const std::string& customer_id = "",
                        const std::vector<std::string>& breadcrumb = {});

// Returns the ids of `sessions`, in order.
std::vector<std::string> Ids(const google::protobuf::RepeatedPtrField<SessionInfo>& sessions);

// Polls `condition` (every millisecond) until it returns true, or until
// `timeout` has passed. Returns whether it became true. For state that
// another thread or process changes without notifying anyone. Pick a
// generous timeout: it only bounds a failing test, so a slow machine waits
// longer instead of failing.
bool WaitUntil(std::function<bool()> condition, absl::Duration timeout);

}  // namespace testutil
}  // namespace sessions

#endif  // STORAGE_TESTING_TEST_UTIL_H_
