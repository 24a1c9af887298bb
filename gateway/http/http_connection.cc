#include "gateway/http/http_connection.h"

#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/http/chunk_encode.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/write.hpp"
#include "spdlog/spdlog.h"

namespace sessions::gateway {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

namespace {

// The peer's address without port ("unknown" when the socket has none).
std::string AddressOf(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  std::string address = endpoint.address().to_string(ec);
  return ec ? "unknown" : address;
}

std::string PeerOf(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return absl::StrCat("ipv6:[", address.to_string(ec), "]:", endpoint.port());
  return absl::StrCat("ipv4:", address.to_string(ec), ":", endpoint.port());
}

// RFC 9112 §6.1: "chunked" is the only transfer coding this server
// decodes; any list that is not exactly it is refused.
bool IsLoneChunked(const HttpRequest& header) {
  int codings = 0;
  const auto range = header.equal_range(http::field::transfer_encoding);
  for (auto field = range.first; field != range.second; ++field) {
    for (absl::string_view coding :
         absl::StrSplit(ToAbsl(field->value()), ',', absl::SkipWhitespace())) {
      if (++codings > 1 || !absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(coding), "chunked")) {
        return false;
      }
    }
  }
  return codings == 1;
}

constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, const RequestHandler* handler,
                               ConnectionRegistry* registry, const ConnectionLimits& limits)
    : stream_(std::move(socket)),
      handler_(handler),
      registry_(registry),
      limits_(limits),
      peer_address_(AddressOf(stream_.socket())),
      peer_(PeerOf(stream_.socket())),
      keepalive_timer_(stream_.get_executor()) {}

void HttpConnection::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadNext(); });
}

void HttpConnection::Post(std::function<void()> task) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), task = std::move(task)] {
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("http {}: task failed: {}", self->peer_, e.what());
      self->Close();
    }
  });
}

void HttpConnection::BeginDrain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    if (self->idle_) self->Close();
  });
}

void HttpConnection::ForceClose() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void HttpConnection::ReadNext() {
  if (closed_) return;
  if (draining_ || registry_->draining()) {
    Close();
    return;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_body_bytes);
  if (buffer_.size() > 0) {  // a pipelined request is already here
    ReadRequest();
    return;
  }
  idle_ = true;
  stream_.expires_after(ToChrono(limits_.idle_timeout));
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                            self->OnFirstBytes(ec, bytes);
                          });
}

void HttpConnection::OnFirstBytes(beast::error_code ec, size_t bytes) {
  idle_ = false;
  if (ec || closed_) {
    Close();  // idle timeout, peer closed, or drained
    return;
  }
  buffer_.commit(bytes);
  ReadRequest();
}

void HttpConnection::ReadRequest() {
  // One deadline for the whole request: a client trickling bytes
  // (slowloris) is cut off after read_timeout.
  stream_.expires_after(ToChrono(limits_.read_timeout));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void HttpConnection::OnHeader(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    FailRead(ec);
    return;
  }
  if (AdmitBody()) ReadBody();
}

bool HttpConnection::AdmitBody() {
  const HttpRequest& header = parser_->get();
  if (header.count(http::field::transfer_encoding) > 0 &&
      (!IsLoneChunked(header) || header.count(http::field::content_length) > 0)) {
    Refuse(400, "BadRequest", "unsupported Transfer-Encoding (only chunked is accepted)");
    return false;
  }
  const bool has_body = !parser_->is_done();
  // A chunked body's size is unknown until it ends: it holds the maximum.
  const size_t body_bytes = !has_body                   ? 0
                            : parser_->content_length() ? *parser_->content_length()
                                                        : limits_.max_body_bytes;
  if (body_bytes > 0 && limits_.body_budget != nullptr) {
    std::optional<BodyBudget::Reservation> reservation =
        limits_.body_budget->TryReserve(body_bytes);
    if (!reservation.has_value()) {
      Refuse(503, "ServiceUnavailable", "too many request bodies in flight; retry later");
      return false;
    }
    body_reservation_ = *std::move(reservation);
  }
  auto expect = header.find(http::field::expect);
  if (expect != header.end() && header.version() >= 11) {
    if (!absl::EqualsIgnoreCase(ToAbsl(expect->value()), "100-continue")) {
      Refuse(417, "ExpectationFailed", "only Expect: 100-continue is supported");
      return false;
    }
    if (has_body && buffer_.size() == 0) {
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec || self->closed_) {
                            self->Close();
                            return;
                          }
                          self->ReadBody();
                        });
      return false;
    }
  }
  return true;
}

void HttpConnection::ReadBody() {
  if (parser_->is_done()) {
    OnRead({});
    return;
  }
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
}

void HttpConnection::Refuse(int http_status, const char* error_code, const char* message) {
  keep_alive_ = false;
  head_request_ = parser_->get().method() == http::verb::head;
  request_version_ = parser_->get().version();
  HttpResponse response = handler_->TransportError(http_status, error_code, message);
  if (http_status == 503) response.set(http::field::retry_after, "1");
  Write(std::move(response));
}

void HttpConnection::OnRead(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    FailRead(ec);
    return;
  }
  stream_.expires_never();
  Dispatch(parser_->release());
}

void HttpConnection::FailRead(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    Refuse(431, "RequestHeaderFieldsTooLarge", "request headers too large");
  } else if (ec == http::error::body_limit) {
    Refuse(413, "RequestEntityTooLarge", "request body too large");
  } else if (ec.category() == beast::error_code(http::error::bad_method).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    Refuse(400, "BadRequest", "malformed HTTP request");
  } else {
    Close();  // timeout, reset, or the peer closed mid-request
  }
}

void HttpConnection::Dispatch(HttpRequest request) {
  busy_ = true;
  request_version_ = request.version();
  head_request_ = request.method() == http::verb::head;
  keep_alive_ = request.keep_alive();
  std::weak_ptr<HttpConnection> weak = weak_from_this();
  ConnectionRegistry* registry = registry_;
  try {
    handler_->Dispatch(
        std::move(request),
        [registry = registry->shared_from_this(), weak](std::function<void()> task) {
          registry->Post(weak, std::move(task));
        },
        [weak](HttpResponse response) {
          if (std::shared_ptr<HttpConnection> self = weak.lock()) self->Write(std::move(response));
        },
        [weak](HttpResponse head, std::shared_ptr<BodySource> body) {
          if (std::shared_ptr<HttpConnection> self = weak.lock()) {
            self->StartStream(std::move(head), std::move(body));
          } else {
            body->Cancel();
          }
        });
  } catch (const std::exception& e) {
    spdlog::error("http {}: dispatch failed: {}", peer_, e.what());
    keep_alive_ = false;
    if (busy_ && !response_.has_value()) {
      Write(handler_->TransportError(500, "InternalServerError", "internal error"));
    }
  }
}

void HttpConnection::Write(HttpResponse response, bool sized) {
  if (closed_ || response_.has_value()) return;
  busy_ = true;
  response.version(request_version_ == 10 ? 10 : 11);
  response.keep_alive(keep_alive_ && !draining_ && !registry_->draining());
  if (sized) response.prepare_payload();
  // RFC 9110 §9.3.2: the Content-Length of the GET answer, no content (a
  // body here would be read as the start of the next response).
  if (head_request_) response.body().clear();
  response_.emplace(std::move(response));
  stream_.expires_after(ToChrono(limits_.read_timeout));
  http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void HttpConnection::OnWrite(beast::error_code ec) {
  busy_ = false;
  body_reservation_.Release();
  const bool keep_alive = response_.has_value() && response_->keep_alive();
  response_.reset();
  if (ec || !keep_alive) {
    Close();
    return;
  }
  ReadNext();
}

void HttpConnection::StartStream(HttpResponse head, std::shared_ptr<BodySource> body) {
  if (closed_ || response_.has_value() || body_ != nullptr) {
    body->Cancel();
    return;
  }
  body_reservation_.Release();
  keep_alive_ = false;  // the connection ends with the body
  if (head_request_) {  // the stream's headers, no events
    body->Cancel();
    head.body().clear();
    Write(std::move(head), /*sized=*/false);
    return;
  }
  busy_ = true;
  body_ = std::move(body);
  chunked_ = request_version_ != 10;
  stream_head_.emplace(std::move(head.base()));
  stream_head_->version(chunked_ ? 11 : 10);
  stream_head_->keep_alive(false);
  stream_head_->erase(http::field::content_length);
  if (chunked_) stream_head_->chunked(true);
  stream_head_serializer_.emplace(*stream_head_);
  chunk_in_flight_ = true;
  stream_.expires_after(ToChrono(limits_.read_timeout));
  http::async_write_header(stream_, *stream_head_serializer_,
                           [self = shared_from_this()](beast::error_code ec, size_t) {
                             self->chunk_in_flight_ = false;
                             if (ec || self->closed_) {
                               self->Close();
                               return;
                             }
                             std::weak_ptr<HttpConnection> weak = self;
                             self->body_->SetWakeup([weak] {
                               if (std::shared_ptr<HttpConnection> connection = weak.lock()) {
                                 connection->Post([connection] { connection->PumpStream(); });
                               }
                             });
                             self->stream_.expires_never();
                             self->ArmKeepalive();
                             self->PumpStream();
                           });
}

void HttpConnection::PumpStream() {
  if (closed_ || body_ == nullptr || chunk_in_flight_ || stream_ended_) return;
  std::string chunk;
  const BodySource::Next next = body_->NextChunk(&chunk);
  if (next == BodySource::Next::kPending) return;
  if (!chunk.empty()) {
    WriteChunk(std::move(chunk), /*last=*/false);
    return;  // the end, if it is one, is read again after this write
  }
  if (next == BodySource::Next::kEnd) WriteChunk("", /*last=*/true);
}

void HttpConnection::WriteChunk(std::string bytes, bool last) {
  chunk_in_flight_ = true;
  chunk_ = std::move(bytes);
  if (last) stream_ended_ = true;
  // The write timeout cuts off a client that stopped reading.
  stream_.expires_after(ToChrono(limits_.read_timeout));
  auto written = [self = shared_from_this(), last](beast::error_code ec, size_t) {
    self->chunk_in_flight_ = false;
    if (ec || last || self->closed_) {
      self->Close();
      return;
    }
    self->stream_.expires_never();
    self->ArmKeepalive();
    self->PumpStream();
  };
  if (!chunked_) {
    if (last) return written({}, 0);
    asio::async_write(stream_, asio::buffer(chunk_), std::move(written));
  } else if (last) {
    asio::async_write(stream_, http::make_chunk_last(), std::move(written));
  } else {
    asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)), std::move(written));
  }
}

void HttpConnection::ArmKeepalive() {
  keepalive_timer_.expires_after(ToChrono(limits_.stream_keepalive_interval));
  keepalive_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_ || self->chunk_in_flight_ || self->stream_ended_) return;
    self->WriteChunk(self->limits_.stream_keepalive, /*last=*/false);
  });
}

void HttpConnection::Close() {
  if (closed_) return;
  closed_ = true;
  body_reservation_.Release();
  keepalive_timer_.cancel();
  if (body_ != nullptr) body_->Cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  registry_->Remove(this);
}

}  // namespace sessions::gateway
