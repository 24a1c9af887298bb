// Test helpers for code that uses the stores: fresh database paths in the
// test's temp dir and terse SessionInfo builders.
#ifndef STORAGE_TESTING_TEST_UTIL_H_
#define STORAGE_TESTING_TEST_UTIL_H_

#include <string>
#include <vector>

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

}  // namespace testutil
}  // namespace sessions

#endif  // STORAGE_TESTING_TEST_UTIL_H_
