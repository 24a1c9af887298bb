// The sessions benches and tests are made of, in one place:
// - FillSession: realistic sessions for the benchmarks (gen_data,
//   ingest_bench, json_encode_bench): field sizes as measured in
//   shared/rest-path-costs.md — ids 24 chars, names ~20, ISO-8601 dates,
//   2 breadcrumbs, 5 log entries of 60 chars, 3 members each with a 3-entry
//   application_data map — about 2 KB serialized;
// - FullSession / SmallSession: the writers' golden fixtures (every field
//   set to a distinct value; a small one).
// (The demo data of sessions_server --demo_data, storage/sample/demo_data.h,
// tells its own tenancy story: accounts, customer trees, people.)
// Deterministic: the same arguments give the same session. Thread-safe.
#ifndef STORAGE_SAMPLE_SESSION_FACTORY_H_
#define STORAGE_SAMPLE_SESSION_FACTORY_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::sample {

// The id of account `index`: "acct-" + 19 digits (24 chars).
std::string AccountId(int64_t index);

// The account ingest_bench writes to (kept apart from the read accounts).
std::string IngestAccountId();

// Formats `t` as ISO-8601 UTC with milliseconds ("2026-11-25T08:00:00.000Z").
std::string IsoTime(absl::Time t);

// The instant every generated date counts from.
absl::Time BaseTime();

// Fills `session` (cleared first) with session `id` of `account_id`,
// variant `seed` (varies names, enums, members), created `created_at`.
// Ended sessions also get date_completed and an outcome.
void FillSession(const std::string& account_id, const std::string& id, int64_t seed,
                 absl::Time created_at, bool ended, voice::api::sessions::v1::SessionInfo* session);

// Returns a SessionInfo with every field (and every nested field) set to a
// distinct non-default value: 2 breadcrumbs, 2 log entries, 2 members with a
// 2-entry application_data map each.
voice::api::sessions::v1::SessionInfo FullSession();

// Returns a small session: a few strings, one breadcrumb, one log entry, one
// member with a one-entry map; enums/bools at their defaults.
voice::api::sessions::v1::SessionInfo SmallSession();

}  // namespace sessions::sample

#endif  // STORAGE_SAMPLE_SESSION_FACTORY_H_
