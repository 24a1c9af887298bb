// Test-only HTTP/1.1 client over a real TCP socket (Beast), with a bound on
// every wait so a broken server fails the test instead of hanging it. Sends
// raw bytes too, for malformed-request tests.
//
// Thread-safety: not thread-safe; one test thread.
#ifndef GATEWAY_TESTING_TEST_HTTP_CLIENT_H_
#define GATEWAY_TESTING_TEST_HTTP_CLIENT_H_

#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "gateway/http/http_types.h"

namespace sessions::gateway {

class TestHttpClient {
 public:
  // Connects to 127.0.0.1:`port`; check connected().
  explicit TestHttpClient(int port);

  bool connected() const { return connected_; }

  // Generous: a bound for a loaded machine running sanitizer builds, not
  // an expectation of speed.
  static constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);

  // Sends `bytes` as they are. Returns false on error or timeout.
  bool SendRaw(const std::string& bytes, absl::Duration timeout = kDefaultTimeout);

  // Reads one response; nullopt on timeout, EOF or a parse error.
  // `to_head`: the answer to a HEAD request (no content follows its
  // headers, whatever Content-Length says).
  std::optional<HttpResponse> Read(absl::Duration timeout = kDefaultTimeout, bool to_head = false);

  // Sends a request (Host and Content-Length added) and reads the answer.
  std::optional<HttpResponse> Call(const std::string& method, const std::string& target,
                                   const std::map<std::string, std::string>& headers = {},
                                   const std::string& body = "");

  // Returns the raw request bytes Call() would send.
  static std::string Format(const std::string& method, const std::string& target,
                            const std::map<std::string, std::string>& headers,
                            const std::string& body);

  // Waits until the server closes the connection; false on timeout.
  bool WaitClosed(absl::Duration timeout = kDefaultTimeout);

 private:
  // Runs the io_context until `done` or `timeout`; cancels on timeout.
  bool RunUntil(const bool& done, absl::Duration timeout);

  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TESTING_TEST_HTTP_CLIENT_H_
