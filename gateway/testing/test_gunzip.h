// Test-only: inflates a gzip stream with zlib, to check what the gateway's
// gzip encoder produced.
#ifndef GATEWAY_TESTING_TEST_GUNZIP_H_
#define GATEWAY_TESTING_TEST_GUNZIP_H_

#include <string>

namespace sessions::gateway {

// Returns the inflated bytes (at most 8 MiB); records a gtest failure if
// `data` is not one complete gzip stream.
std::string Gunzip(const std::string& data);

}  // namespace sessions::gateway

#endif  // GATEWAY_TESTING_TEST_GUNZIP_H_
