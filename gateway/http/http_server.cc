#include "gateway/http/http_server.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/asio/post.hpp"
#include "boost/asio/strand.hpp"
#include "spdlog/spdlog.h"

namespace sessions::gateway {

namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

// Splits "host:port" / "[v6]:port". Errors: INVALID_ARGUMENT.
absl::Status SplitAddress(const std::string& address, std::string* host, std::string* port) {
  const size_t colon = address.rfind(':');
  int number = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &number) ||
      number < 0 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address \"", address, "\" is not host:port"));
  }
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  if (host->empty()) *host = "0.0.0.0";
  *port = address.substr(colon + 1);
  return absl::OkStatus();
}

// Refuses limits that would make the server refuse everything or nothing.
absl::Status ValidateOptions(const HttpServerOptions& options) {
  if (options.max_connections < 1 || options.max_connections_per_peer < 1) {
    return absl::InvalidArgumentError(
        "HTTP max_connections and max_connections_per_peer: must be at least 1");
  }
  if (options.max_buffered_body_bytes < options.max_body_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP max_buffered_body_bytes: must be at least one request body (",
                     options.max_body_bytes, " bytes)"));
  }
  if (options.read_timeout <= absl::ZeroDuration() ||
      options.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("HTTP read_timeout and idle_timeout: must be positive");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              const RequestHandler* handler) {
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  std::unique_ptr<HttpServer> server(new HttpServer(options, handler));
  if (absl::Status s = server->Listen(); !s.ok()) return s;
  server->Accept();
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) {
    server->threads_.emplace_back([s = server.get()] { s->io_.run(); });
  }
  return server;
}

HttpServer::HttpServer(const HttpServerOptions& options, const RequestHandler* handler)
    : options_(options),
      handler_(handler),
      registry_(std::make_shared<ConnectionRegistry>(options.max_connections,
                                                     options.max_connections_per_peer)),
      work_(asio::make_work_guard(io_)),
      acceptor_(asio::make_strand(io_)) {
  limits_.max_header_bytes = options.max_header_bytes;
  limits_.max_body_bytes = options.max_body_bytes;
  limits_.body_budget = std::make_shared<BodyBudget>(options.max_buffered_body_bytes);
  limits_.read_timeout = options.read_timeout;
  limits_.idle_timeout = options.idle_timeout;
}

HttpServer::~HttpServer() { Shutdown(absl::Now()); }

absl::Status HttpServer::Listen() {
  std::string host, port;
  if (absl::Status s = SplitAddress(options_.address, &host, &port); !s.ok()) return s;
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints =
      resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve HTTP address ", options_.address, ": ", ec.message()));
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto fail = [&](const char* step) {
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ", options_.address, " (",
                                               step, "): ", ec.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) return fail("reuse");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  return absl::OkStatus();
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void HttpServer::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    socket.set_option(tcp::no_delay(true), ec);
    auto connection =
        std::make_shared<HttpConnection>(std::move(socket), handler_, registry_.get(), limits_);
    if (registry_->Add(connection)) {
      connection->Start();
    } else {
      // Over max_connections (or draining): refuse by closing at once.
      connection->ForceClose();
    }
  } else {
    spdlog::warn("http accept failed: {}", ec.message());
  }
  Accept();
}

void HttpServer::Shutdown(absl::Time deadline) {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  // The acceptor's handlers run on its strand; close it there too.
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  registry_->BeginDrain();
  if (!registry_->WaitEmpty(deadline)) {
    registry_->ForceCloseAll();
    registry_->WaitEmpty(absl::Now() + absl::Seconds(1));
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  registry_->Close();
}

}  // namespace sessions::gateway
