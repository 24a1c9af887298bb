// Realistic demo sessions for a fresh development database, for demos of
// the REST/gRPC API and for tests that need varied data.
#ifndef STORAGE_SAMPLE_DEMO_DATA_H_
#define STORAGE_SAMPLE_DEMO_DATA_H_

#include <vector>

#include "absl/status/status.h"
#include "storage/session_store.h"

namespace sessions {

// Returns the demo sessions: accounts "acct-demo-1" (12 active + 5 ended)
// and "acct-demo-2" (6 active + 3 ended), nested customers (breadcrumbs 2-3
// deep), members with application data, log entries; every enum value and
// every SessionInfo field appears somewhere. Dates are ISO-8601 UTC relative
// to 2026-11-25T09:00:00Z. Deterministic: same result on every call.
std::vector<SessionInfo> DemoSessions();

// Writes DemoSessions() to `store` (not owned) if it holds no session at
// all; does nothing otherwise. Returns the store's error, if any.
absl::Status FillDemoData(SessionStore* store);

}  // namespace sessions

#endif  // STORAGE_SAMPLE_DEMO_DATA_H_
