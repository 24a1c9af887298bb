// Realistic sessions for the benchmarks (gen_data, ingest_bench): field
// sizes as measured in /work/shared/rest-path-costs.md — ids 24 chars,
// names ~20, ISO-8601 dates, 2 breadcrumbs, 5 log entries of 60 chars,
// 3 members each with a 3-entry application_data map — about 2 KB
// serialized. Deterministic: the same arguments give the same session.
#ifndef BENCH_SESSION_FACTORY_H_
#define BENCH_SESSION_FACTORY_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::bench {

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

}  // namespace sessions::bench

#endif  // BENCH_SESSION_FACTORY_H_
