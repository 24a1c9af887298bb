// Bounds how many lines one kind of log event writes: at most `burst` per
// `interval`, and the first line after a quiet spell says how many were
// held back. Used where a caller controls the rate of log lines, e.g. the
// access log of calls without a valid token (a flood of 20,000 of them
// wrote 20,000 lines).
//
// Thread-safety: thread-safe.
#ifndef COMMON_LOG_RATE_LIMITER_H_
#define COMMON_LOG_RATE_LIMITER_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sessions {

class LogRateLimiter {
 public:
  LogRateLimiter(int burst, absl::Duration interval) : burst_(burst), interval_(interval) {}

  // Whether an event at `now` may be logged; if so, `*held_back` is the
  // number of events refused since the previous one allowed.
  bool Allow(absl::Time now, int64_t* held_back);

 private:
  const int burst_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int allowed_in_window_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t held_back_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sessions

#endif  // COMMON_LOG_RATE_LIMITER_H_
