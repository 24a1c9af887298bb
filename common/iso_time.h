// ISO-8601 dates as the Voice API carries them ("2026-11-25",
// "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.123+02:00", ...), parsed to and
// formatted from absl::Time. Used by the store (indexed date columns) and by
// the service layer (validating request dates).
#ifndef COMMON_ISO_TIME_H_
#define COMMON_ISO_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sessions {

// Parses an ISO-8601 date or date-time. Accepted forms:
//   2026-11-25                       (midnight UTC)
//   2026-11-25T10:00 / 10:00:00      (no zone: UTC)
//   2026-11-25T10:00:00.123456Z      (fractional seconds, any precision)
//   2026-11-25T10:00:00+02:00        (numeric offset; also -0500, +02)
// A space instead of 'T' and a lowercase 't'/'z' are accepted too.
// Returns INVALID_ARGUMENT for anything else (the message quotes no input).
absl::StatusOr<absl::Time> ParseIsoTime(std::string_view text);

// Formats `t` as RFC 3339 UTC with the fractional seconds it has, e.g.
// "2026-11-25T10:00:00Z" or "2026-11-25T10:00:00.25Z". Infinite times format
// as "infinite-future" / "infinite-past".
std::string FormatIsoTime(absl::Time t);

// Microseconds since the Unix epoch; InfinitePast/InfiniteFuture map to
// INT64_MIN/INT64_MAX (the order is kept, so the values can be indexed).
int64_t ToUnixMicrosSaturated(absl::Time t);

}  // namespace sessions

#endif  // COMMON_ISO_TIME_H_
