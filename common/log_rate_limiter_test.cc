#include "common/log_rate_limiter.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(LogRateLimiterTest, AllowsABurstPerIntervalAndCountsWhatItHeldBack) {
  LogRateLimiter limiter(3, absl::Seconds(1));
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  int64_t held_back = -1;
  int allowed = 0;
  for (int i = 0; i < 100; ++i) {
    if (limiter.Allow(t0 + absl::Milliseconds(i), &held_back)) {
      ++allowed;
      EXPECT_EQ(held_back, 0);
    }
  }
  EXPECT_EQ(allowed, 3);
  // The next window lets lines through again; the first one reports the 97.
  ASSERT_TRUE(limiter.Allow(t0 + absl::Seconds(1), &held_back));
  EXPECT_EQ(held_back, 97);
  ASSERT_TRUE(limiter.Allow(t0 + absl::Seconds(1), &held_back));
  EXPECT_EQ(held_back, 0);
}

}  // namespace
}  // namespace sessions
