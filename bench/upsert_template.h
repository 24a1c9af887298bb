// Upsert requests for ingest_bench built without protobuf work per call.
// Each session is serialized once, as field 1 of an UpsertSessionRequest,
// with fixed-width placeholders for the two things an update changes
// (date_last_modified, and the update number in log(4).message); a request
// is then one memcpy and two overwrites (Render). The same bytes are one
// element of a BatchUpsertSessionsRequest, so a batch request is their
// concatenation. CheckRenderedRequest() proves once per process that the
// bytes carry exactly the session the protobuf-built request would.
#ifndef BENCH_UPSERT_TEMPLATE_H_
#define BENCH_UPSERT_TEMPLATE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "voice/api/sessions/v1/sessions.pb.h"

namespace sessions::bench {

// IsoTime() output is always this wide ("2026-11-25T08:00:00.000Z").
constexpr size_t kDateWidth = 24;

// IsoTime(t) without formatting a civil time per call: the text up to the
// seconds is cached and redone only when the second changes.
class IsoClock {
 public:
  // Returns the kDateWidth chars of IsoTime(t) (not NUL-terminated), valid
  // until the next call.
  const char* Format(absl::Time t);

 private:
  int64_t second_ = std::numeric_limits<int64_t>::min();
  char text_[kDateWidth] = {};
};

// One session serialized once as field 1, length-delimited: the encoding of
// UpsertSessionRequest{session} and of one element of
// BatchUpsertSessionsRequest.sessions (a batch request is their
// concatenation). Fixed-width placeholders mark what each update changes.
struct SessionTemplate {
  std::string bytes;
  size_t date_at = 0;    // kDateWidth bytes: date_last_modified
  size_t digits_at = 0;  // kUpdateDigits bytes: the number in log(4).message
};

// Builds the template of `session` (its date_last_modified and log(4)
// message are replaced by the placeholders). Exits with status 2 if the
// session cannot be templated (fewer than 5 log entries).
SessionTemplate MakeTemplate(voice::api::sessions::v1::SessionInfo* session);

// Writes template `t` at `out` as the update dated `date` (kDateWidth chars)
// with number `n` (the last 9 decimal digits: %09d for any n < 10^9).
// Returns the end of what was written.
char* Render(const SessionTemplate& t, const char* date, int64_t n, char* out);

// The log(4) message of update number `n` of a writer.
std::string UpdateMessage(int64_t n);

// Checks once that the rendered bytes carry exactly the session the
// per-call protobuf code built (template copy + set_date_last_modified(
// IsoTime(now)) + log(4) message), and that IsoClock agrees with IsoTime.
// Exits with status 2 otherwise.
void CheckRenderedRequest(const std::string& account);

}  // namespace sessions::bench

#endif  // BENCH_UPSERT_TEMPLATE_H_
