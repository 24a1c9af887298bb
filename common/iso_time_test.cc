#include "common/iso_time.h"

#include <limits>

#include "gtest/gtest.h"

namespace sessions {
namespace {

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(ParseIsoTimeTest, AcceptsDateOnlyAsMidnightUtc) {
  EXPECT_EQ(*ParseIsoTime("2026-11-25"), Utc(2026, 11, 25));
}

TEST(ParseIsoTimeTest, AcceptsZuluDateTime) {
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00:00Z"), Utc(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIsoTime("2026-11-25t10:00:00z"), Utc(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIsoTime("2026-11-25 10:00:00Z"), Utc(2026, 11, 25, 10));
}

TEST(ParseIsoTimeTest, AcceptsFractionalSeconds) {
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00:00.5Z"),
            Utc(2026, 11, 25, 10) + absl::Milliseconds(500));
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00:00.123456Z"),
            Utc(2026, 11, 25, 10) + absl::Microseconds(123456));
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00:00.1234567"),
            Utc(2026, 11, 25, 10) + absl::Nanoseconds(123456700));
}

TEST(ParseIsoTimeTest, AcceptsOffsets) {
  EXPECT_EQ(*ParseIsoTime("2026-11-25T12:00:00+02:00"), Utc(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIsoTime("2026-11-25T05:00:00-0500"), Utc(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:30+00:00"), Utc(2026, 11, 25, 10, 30));
}

TEST(ParseIsoTimeTest, NoZoneMeansUtc) {
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00:00"), Utc(2026, 11, 25, 10));
  EXPECT_EQ(*ParseIsoTime("2026-11-25T10:00"), Utc(2026, 11, 25, 10));
}

TEST(ParseIsoTimeTest, RejectsGarbage) {
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-31", "2026/11/25", "25-11-2026",
                          " 2026-11-25", "2026-11-25T", "2026-11-25T25:00:00Z", "2026-11-25Tfoo",
                          "2026-11-25T10:00:00+25:00", "2026-11-25x", "+2026-11-25"}) {
    absl::StatusOr<absl::Time> t = ParseIsoTime(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(FormatIsoTimeTest, FormatsUtcWithFraction) {
  EXPECT_EQ(FormatIsoTime(Utc(2026, 11, 25, 10)), "2026-11-25T10:00:00Z");
  EXPECT_EQ(FormatIsoTime(Utc(2026, 11, 25, 10) + absl::Milliseconds(250)),
            "2026-11-25T10:00:00.25Z");
}

TEST(FormatIsoTimeTest, RoundTrips) {
  absl::Time t = Utc(2026, 1, 2, 3, 4, 5) + absl::Microseconds(678);
  EXPECT_EQ(*ParseIsoTime(FormatIsoTime(t)), t);
}

TEST(ToUnixMicrosSaturatedTest, KeepsOrderAtInfinity) {
  EXPECT_EQ(ToUnixMicrosSaturated(absl::InfinitePast()), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(ToUnixMicrosSaturated(absl::InfiniteFuture()), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ToUnixMicrosSaturated(absl::UnixEpoch() + absl::Seconds(1)), 1000000);
}

}  // namespace
}  // namespace sessions
