#include "common/log_rate_limiter.h"

namespace sessions {

bool LogRateLimiter::Allow(absl::Time now, int64_t* held_back) {
  absl::MutexLock lock(&mu_);
  if (now - window_start_ >= interval_) {
    window_start_ = now;
    allowed_in_window_ = 0;
  }
  if (allowed_in_window_ >= burst_) {
    ++held_back_;
    return false;
  }
  ++allowed_in_window_;
  *held_back = held_back_;
  held_back_ = 0;
  return true;
}

}  // namespace sessions
