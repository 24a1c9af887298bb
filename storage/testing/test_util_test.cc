#include "storage/testing/test_util.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sessions {
namespace testutil {
namespace {

TEST(WaitUntilTest, ReturnsTrueOnceTheConditionHolds) {
  int calls = 0;
  EXPECT_TRUE(WaitUntil([&] { return ++calls == 3; }, absl::Seconds(60)));
  EXPECT_EQ(calls, 3);
}

TEST(WaitUntilTest, ReturnsFalseWhenTheTimeoutPasses) {
  EXPECT_FALSE(WaitUntil([] { return false; }, absl::Milliseconds(5)));
}

}  // namespace
}  // namespace testutil
}  // namespace sessions
