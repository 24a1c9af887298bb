#include "server/env_flags.h"

#include <cstdlib>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"

namespace sessions {

absl::Status ApplyEnvFlagFallbacks(
    const std::vector<std::pair<std::string, std::string>>& flag_to_env) {
  for (const auto& [flag_name, env_name] : flag_to_env) {
    const char* value = std::getenv(env_name.c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(flag_name);
    if (flag == nullptr) {
      return absl::InternalError(absl::StrCat("no flag --", flag_name, " for ", env_name));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", env_name, " (for --", flag_name, "): ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace sessions
