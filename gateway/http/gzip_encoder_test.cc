#include "gateway/http/gzip_encoder.h"

#include <string>

#include "gateway/testing/test_gunzip.h"
#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

TEST(GzipEncoderTest, RoundTrip) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "{\"id\":\"session-" + std::to_string(i) + "\"},";
  absl::StatusOr<std::string> gz = GzipCompress(text);
  ASSERT_TRUE(gz.ok()) << gz.status();
  EXPECT_LT(gz->size(), text.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), text);
  EXPECT_EQ(Gunzip(*GzipCompress("")), "");
}

TEST(GzipEncoderTest, AcceptEncoding) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5, br"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
  EXPECT_FALSE(AcceptsGzip(""));
}

}  // namespace
}  // namespace sessions::gateway
