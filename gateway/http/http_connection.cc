#include "gateway/http/http_connection.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/write.hpp"
#include "spdlog/spdlog.h"

namespace sessions::gateway {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

namespace {

std::string PeerOf(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const asio::ip::tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return absl::StrCat("ipv6:[", address.to_string(ec), "]:", endpoint.port());
  return absl::StrCat("ipv4:", address.to_string(ec), ":", endpoint.port());
}

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
      peer_(PeerOf(stream_.socket())) {}

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
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
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
    keep_alive_ = false;
    Write(
        handler_->TransportError(431, "RequestHeaderFieldsTooLarge", "request headers too large"));
  } else if (ec == http::error::body_limit) {
    keep_alive_ = false;
    Write(handler_->TransportError(413, "RequestEntityTooLarge", "request body too large"));
  } else if (ec.category() == beast::error_code(http::error::bad_method).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    keep_alive_ = false;
    Write(handler_->TransportError(400, "BadRequest", "malformed HTTP request"));
  } else {
    Close();  // timeout, reset, or the peer closed mid-request
  }
}

void HttpConnection::Dispatch(HttpRequest request) {
  busy_ = true;
  request_version_ = request.version();
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
        });
  } catch (const std::exception& e) {
    spdlog::error("http {}: dispatch failed: {}", peer_, e.what());
    keep_alive_ = false;
    if (busy_ && !response_.has_value()) {
      Write(handler_->TransportError(500, "InternalServerError", "internal error"));
    }
  }
}

void HttpConnection::Write(HttpResponse response) {
  if (closed_ || response_.has_value()) return;
  busy_ = true;
  response.version(request_version_ == 10 ? 10 : 11);
  response.keep_alive(keep_alive_ && !draining_ && !registry_->draining());
  response.prepare_payload();
  response_.emplace(std::move(response));
  stream_.expires_after(ToChrono(limits_.read_timeout));
  http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void HttpConnection::OnWrite(beast::error_code ec) {
  busy_ = false;
  const bool keep_alive = response_.has_value() && response_->keep_alive();
  response_.reset();
  if (ec || !keep_alive) {
    Close();
    return;
  }
  ReadNext();
}

void HttpConnection::Close() {
  if (closed_) return;
  closed_ = true;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  registry_->Remove(this);
}

}  // namespace sessions::gateway
