// Test fixtures for the response writer tests: sessions with every field set.

#ifndef GATEWAY_CODEC_TESTDATA_SESSION_FIXTURE_H_
#define GATEWAY_CODEC_TESTDATA_SESSION_FIXTURE_H_

#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::gateway::testing {

// Returns a SessionInfo with every field (and every nested field) set to a
// distinct non-default value: 2 breadcrumbs, 2 log entries, 2 members with a
// 2-entry application_data map each.
voice::api::sessions::v1::SessionInfo FullSession();

// Returns a small session: a few strings, one breadcrumb, one log entry, one
// member with a one-entry map; enums/bools at their defaults.
voice::api::sessions::v1::SessionInfo SmallSession();

}  // namespace sessions::gateway::testing

#endif  // GATEWAY_CODEC_TESTDATA_SESSION_FIXTURE_H_
