#include "service/page_token.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/field_error.h"

namespace sessions {
namespace {
constexpr absl::string_view kVersion = "p1:";
}  // namespace

std::string EncodePageToken(const PageCursor& cursor) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kVersion, absl::ToUnixMicros(cursor.created), ":", cursor.id));
}

absl::StatusOr<PageCursor> DecodePageToken(absl::string_view token) {
  const absl::Status invalid = FieldError("page_token", "not a token from a previous response");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || !absl::StartsWith(raw, kVersion)) return invalid;
  absl::string_view rest = absl::string_view(raw).substr(kVersion.size());
  const size_t colon = rest.find(':');
  int64_t micros = 0;
  if (colon == absl::string_view::npos || colon + 1 >= rest.size() ||
      !absl::SimpleAtoi(rest.substr(0, colon), &micros)) {
    return invalid;
  }
  return PageCursor{absl::FromUnixMicros(micros), std::string(rest.substr(colon + 1))};
}

}  // namespace sessions
