#include "gateway/testing/test_http_client.h"

#include "absl/strings/str_cat.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"

namespace sessions::gateway {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

TestHttpClient::TestHttpClient(int port) : stream_(io_) {
  bool done = false;
  beast::error_code result;
  stream_.async_connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)),
      [&](beast::error_code ec) {
        result = ec;
        done = true;
      });
  connected_ = RunUntil(done, kDefaultTimeout) && !result;
}

bool TestHttpClient::RunUntil(const bool& done, absl::Duration timeout) {
  io_.restart();
  const auto until = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  while (!done && std::chrono::steady_clock::now() < until) {
    io_.run_one_until(until);
  }
  if (done) return true;
  stream_.cancel();
  io_.restart();
  while (!done) io_.run_one();  // let the cancelled handler run
  return false;
}

bool TestHttpClient::SendRaw(const std::string& bytes, absl::Duration timeout) {
  bool done = false;
  beast::error_code result;
  asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  return RunUntil(done, timeout) && !result;
}

std::optional<HttpResponse> TestHttpClient::Read(absl::Duration timeout, bool to_head) {
  bool done = false;
  beast::error_code result;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(to_head);
  http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  if (!RunUntil(done, timeout) || result) return std::nullopt;
  return parser.release();
}

std::string TestHttpClient::Format(const std::string& method, const std::string& target,
                                   const std::map<std::string, std::string>& headers,
                                   const std::string& body) {
  std::string out = absl::StrCat(method, " ", target, " HTTP/1.1\r\n");
  // Host: localhost unless the test sends its own.
  if (headers.count("Host") == 0) out += "Host: localhost\r\n";
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    absl::StrAppend(&out, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

std::optional<HttpResponse> TestHttpClient::Call(const std::string& method,
                                                 const std::string& target,
                                                 const std::map<std::string, std::string>& headers,
                                                 const std::string& body) {
  if (!SendRaw(Format(method, target, headers, body))) return std::nullopt;
  return Read();
}

bool TestHttpClient::WaitClosed(absl::Duration timeout) {
  bool done = false;
  beast::error_code result;
  char byte;
  stream_.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code ec, size_t) {
    result = ec;
    done = true;
  });
  return RunUntil(done, timeout) && result;
}

}  // namespace sessions::gateway
