#include "common/iso_time.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace sessions {
namespace {

// Tried in order; absl::ParseTime's %Ez accepts Z, +hh:mm, +hhmm, +hh and
// %E*S accepts any number of fractional digits.
constexpr const char* kZonedFormats[] = {
    "%Y-%m-%dT%H:%M:%E*S%Ez",
    "%Y-%m-%dT%H:%M%Ez",
};
constexpr const char* kLocalFormats[] = {
    "%Y-%m-%dT%H:%M:%E*S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
};

bool LooksLikeIso(std::string_view s) {
  // YYYY-MM-DD prefix: rejects forms absl would otherwise accept loosely
  // (leading spaces, signs, short years).
  if (s.size() < 10) return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return s[4] == '-' && s[7] == '-' && (s.size() == 10 || s[10] == 'T');
}

}  // namespace

absl::StatusOr<absl::Time> ParseIsoTime(std::string_view text) {
  std::string s(text);
  if (s.size() > 10 && (s[10] == ' ' || s[10] == 't')) s[10] = 'T';
  if (!s.empty() && s.back() == 'z') s.back() = 'Z';
  if (s.size() <= 64 && LooksLikeIso(s)) {
    absl::Time t;
    std::string err;
    for (const char* format : kZonedFormats) {
      if (absl::ParseTime(format, s, &t, &err)) return t;
    }
    for (const char* format : kLocalFormats) {
      if (absl::ParseTime(format, s, absl::UTCTimeZone(), &t, &err)) return t;
    }
  }
  return absl::InvalidArgumentError(
      "not an ISO-8601 date or date-time (e.g. 2026-11-25 or 2026-11-25T10:00:00Z)");
}

std::string FormatIsoTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

int64_t ToUnixMicrosSaturated(absl::Time t) {
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  return absl::ToUnixMicros(t);
}

}  // namespace sessions
