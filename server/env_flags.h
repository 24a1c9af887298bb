// Environment-variable fallbacks for Abseil flags: containers configure the
// server through env (ConfigMap) while the command line still wins.
#ifndef SERVER_ENV_FLAGS_H_
#define SERVER_ENV_FLAGS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace sessions {

// For each (flag name, env var) pair whose env var is set, parses the env
// value into the flag. Call before absl::ParseCommandLine so command-line
// values override. INVALID_ARGUMENT naming the env var when a value does not
// parse; the value itself is not echoed (it may be a secret path or token).
absl::Status ApplyEnvFlagFallbacks(
    const std::vector<std::pair<std::string, std::string>>& flag_to_env);

}  // namespace sessions

#endif  // SERVER_ENV_FLAGS_H_
