// The authorization header is the first thing an attacker controls: any
// value parses to a token of the right shape or is refused, and hashing
// what parses never fails.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/auth/token_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::string_view> token = sessions::auth::ParseBearerToken(header);
  if (!token.ok()) return 0;
  if (!sessions::auth::HashTokenSecret(*token).ok()) std::abort();
  return 0;
}
