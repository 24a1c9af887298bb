// One accepted HTTP/1.1 connection: reads requests one at a time (so
// pipelined requests are answered in order), hands each to the
// RequestHandler, writes the response, and repeats while keep-alive holds.
//
// Limits: header bytes (431), body bytes (413), the server-wide body
// budget (503 before any body byte is read), an idle timeout while waiting
// for the first byte of a request and a read timeout for the whole request
// (slow clients are cut off), a write timeout equal to the read timeout.
// Malformed HTTP gets a 400 and the connection is closed; so does a
// Transfer-Encoding other than a lone "chunked" (RFC 9112 §6.3: reading it
// as "no body" would run its bytes as a second request). `Expect:
// 100-continue` is answered before the body is read, other expectations
// get 417. A HEAD request gets the headers its GET would, without content.
//
// A streamed response (Server-Sent Events) is written as its BodySource
// yields chunks, one write at a time (a client that stops reading is cut
// off by the write timeout), with a keep-alive comment on idle streams; the
// connection closes when the body ends.
//
// Thread-safety: every member runs on the connection's strand; Post() and
// BeginDrain() may be called from any thread. Owned by the
// ConnectionRegistry (shared_ptr) until it closes.
#ifndef GATEWAY_HTTP_HTTP_CONNECTION_H_
#define GATEWAY_HTTP_HTTP_CONNECTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/empty_body.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/serializer.hpp"
#include "gateway/http/body_budget.h"
#include "gateway/http/body_source.h"
#include "gateway/http/connection_registry.h"
#include "gateway/http/http_types.h"
#include "gateway/http/request_handler.h"

namespace sessions::gateway {

struct ConnectionLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024 * 1024;
  // Shared by the server's connections; null: no bound but max_body_bytes.
  std::shared_ptr<BodyBudget> body_budget;
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);
  // A streamed body idle this long gets `stream_keepalive` (an SSE comment),
  // so that proxies and clients do not time the connection out.
  absl::Duration stream_keepalive_interval = absl::Seconds(15);
  std::string stream_keepalive = ": keep-alive\n\n";
};

class HttpConnection final : public std::enable_shared_from_this<HttpConnection> {
 public:
  // `handler` and `registry` are not owned and outlive the connection's
  // handlers (the server stops its io_context before destroying them).
  HttpConnection(boost::asio::ip::tcp::socket socket, const RequestHandler* handler,
                 ConnectionRegistry* registry, const ConnectionLimits& limits);

  // Starts reading; call once, after the registry holds the connection.
  void Start();

  // Closes the connection if it is idle; otherwise it closes after the
  // response in progress. Thread-safe.
  void BeginDrain();

  // Closes the socket at once. Thread-safe.
  void ForceClose();

  // Runs `task` on this connection's strand. Thread-safe.
  void Post(std::function<void()> task);

  // The peer's IP address (no port): what per-peer limits count.
  const std::string& peer_address() const { return peer_address_; }

 private:
  void ReadNext();
  void OnFirstBytes(boost::beast::error_code ec, size_t bytes);
  void ReadRequest();
  void OnHeader(boost::beast::error_code ec);
  // Checks the framing and the body budget of the parsed header; false
  // when the request was refused (the refusal is being written).
  bool AdmitBody();
  void ReadBody();
  void OnRead(boost::beast::error_code ec);
  // Answers a request that is not read any further, then closes.
  void Refuse(int http_status, const char* error_code, const char* message);
  void Dispatch(HttpRequest request);
  // `sized`: the response has a Content-Length (a streamed head has none).
  void Write(HttpResponse response, bool sized = true);
  void OnWrite(boost::beast::error_code ec);
  void StartStream(HttpResponse head, std::shared_ptr<BodySource> body);
  // Writes the body's next chunk unless a write is in flight.
  void PumpStream();
  void WriteChunk(std::string bytes, bool last);
  void ArmKeepalive();
  void FailRead(boost::beast::error_code ec);
  void Close();

  boost::beast::tcp_stream stream_;
  const RequestHandler* handler_;
  ConnectionRegistry* registry_;
  ConnectionLimits limits_;
  std::string peer_address_;
  std::string peer_;  // address and port, for logs
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<HttpResponse> response_;
  // The body budget held by the request being read or answered.
  BodyBudget::Reservation body_reservation_;
  // A streamed response in progress.
  std::shared_ptr<BodySource> body_;
  std::string chunk_;  // the chunk being written
  bool chunk_in_flight_ = false;
  bool stream_ended_ = false;
  bool chunked_ = true;  // HTTP/1.0 clients get the raw body, then the close
  boost::asio::steady_timer keepalive_timer_;
  std::optional<boost::beast::http::response<boost::beast::http::empty_body>> stream_head_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::empty_body>>
      stream_head_serializer_;
  unsigned request_version_ = 11;
  bool head_request_ = false;
  bool keep_alive_ = true;
  bool idle_ = false;  // waiting for the first byte of a request
  bool busy_ = false;  // a request is being answered
  bool closed_ = false;
  bool draining_ = false;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_HTTP_CONNECTION_H_
