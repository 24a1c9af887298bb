#include "server/env_flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_FLAG(std::string, env_flags_test_address, "default", "test flag");
ABSL_FLAG(int, env_flags_test_port, 1, "test flag");

namespace sessions {
namespace {

TEST(EnvFlagsTest, EnvValueOverridesDefault) {
  setenv("TEST_ADDRESS", "0.0.0.0:9", 1);
  unsetenv("TEST_PORT");
  ASSERT_TRUE(ApplyEnvFlagFallbacks({{"env_flags_test_address", "TEST_ADDRESS"},
                                     {"env_flags_test_port", "TEST_PORT"}})
                  .ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_env_flags_test_address), "0.0.0.0:9");
  EXPECT_EQ(absl::GetFlag(FLAGS_env_flags_test_port), 1);
}

TEST(EnvFlagsTest, BadValueNamesTheVariable) {
  setenv("TEST_PORT", "not-a-number", 1);
  absl::Status status = ApplyEnvFlagFallbacks({{"env_flags_test_port", "TEST_PORT"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("TEST_PORT"), std::string::npos);
}

TEST(EnvFlagsTest, UnknownFlagIsAnError) {
  setenv("TEST_X", "1", 1);
  EXPECT_FALSE(ApplyEnvFlagFallbacks({{"no_such_flag_here", "TEST_X"}}).ok());
}

}  // namespace
}  // namespace sessions
