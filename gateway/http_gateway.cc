#include "gateway/http_gateway.h"

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

}  // namespace

FrontendFactory HttpGateway::Factory(HttpGatewayOptions options) {
  return [options = std::move(options)](
             const FrontendEnvironment& env) -> absl::StatusOr<std::unique_ptr<Frontend>> {
    absl::StatusOr<std::unique_ptr<HttpGateway>> gateway = Start(options, env);
    if (!gateway.ok()) return gateway.status();
    return std::unique_ptr<Frontend>(*std::move(gateway));
  };
}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(const HttpGatewayOptions& options,
                                                                const FrontendEnvironment& env) {
  if (env.method_table == nullptr) return absl::InvalidArgumentError("no method table");
  absl::StatusOr<std::unique_ptr<RouteTable>> routes =
      RouteTable::Build(*env.method_table, options.servicestack_operations);
  if (!routes.ok()) return routes.status();
  std::unique_ptr<HttpGateway> gateway(new HttpGateway(options, env, *std::move(routes)));
  if (absl::Status s = gateway->Listen(); !s.ok()) return s;
  gateway->Accept();
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) {
    gateway->threads_.emplace_back([g = gateway.get()] { g->io_.run(); });
  }
  spdlog::info("http gateway listening on port {} ({} routes)", gateway->port_,
               gateway->routes_->routes().size());
  return gateway;
}

HttpGateway::HttpGateway(const HttpGatewayOptions& options, const FrontendEnvironment& env,
                         std::unique_ptr<RouteTable> routes)
    : options_(options),
      routes_(std::move(routes)),
      dispatcher_(env, routes_.get(), options.cors_allowed_origins),
      registry_(std::make_shared<ConnectionRegistry>(options.max_connections)),
      work_(asio::make_work_guard(io_)),
      acceptor_(asio::make_strand(io_)) {
  limits_.max_header_bytes = options.max_header_bytes;
  limits_.max_body_bytes = options.max_body_bytes;
  limits_.read_timeout = options.read_timeout;
  limits_.idle_timeout = options.idle_timeout;
}

HttpGateway::~HttpGateway() { Shutdown(absl::Now()); }

absl::Status HttpGateway::Listen() {
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
    return absl::UnavailableError(absl::StrCat("cannot listen for HTTP on ", options_.address,
                                               " (", step, "): ", ec.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) return fail("reuse");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  return absl::OkStatus();
}

void HttpGateway::Accept() {
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void HttpGateway::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (!ec) {
    socket.set_option(tcp::no_delay(true), ec);
    auto connection =
        std::make_shared<HttpConnection>(std::move(socket), &dispatcher_, registry_.get(), limits_);
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

void HttpGateway::Shutdown(absl::Time deadline) {
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
