#include "gateway/gzip_encoder.h"

#include <zlib.h>

#include <string>

#include "gtest/gtest.h"

namespace sessions::gateway {
namespace {

// Inflates a gzip stream with zlib (windowBits 15 + 16 = gzip only).
std::string Gunzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

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
