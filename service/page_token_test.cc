#include "service/page_token.h"

#include "gtest/gtest.h"

namespace sessions {
namespace {

TEST(PageTokenTest, RoundTripsCursor) {
  PageCursor cursor{absl::FromUnixMicros(1764064800123456), "sess:with:colons"};
  absl::StatusOr<PageCursor> decoded = DecodePageToken(EncodePageToken(cursor));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->created, cursor.created);
  EXPECT_EQ(decoded->id, cursor.id);
}

TEST(PageTokenTest, RejectsForeignTokensNamingTheField) {
  for (const char* bad : {"", "abc", "!!!", "cDE6MTIz" /* "p1:123" without id */}) {
    absl::StatusOr<PageCursor> decoded = DecodePageToken(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(decoded.status().message().find("page_token"), std::string::npos);
  }
}

}  // namespace
}  // namespace sessions
