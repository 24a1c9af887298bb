// Page tokens come from clients: any text decodes or is refused with
// INVALID_ARGUMENT, and what decodes encodes back to a token that decodes
// to the same cursor.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "service/page_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view token(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<sessions::PageCursor> cursor = sessions::DecodePageToken(token);
  if (!cursor.ok()) {
    if (cursor.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  absl::StatusOr<sessions::PageCursor> again =
      sessions::DecodePageToken(sessions::EncodePageToken(*cursor));
  if (!again.ok() || again->created != cursor->created || again->id != cursor->id) std::abort();
  return 0;
}
