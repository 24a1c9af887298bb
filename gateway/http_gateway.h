// The REST front end: an HTTP/1.1 server (Boost.Beast + Asio) running in
// the server process next to gRPC. Routes come from the methods'
// google.api.http annotations (RouteTable); each request is bound by
// descriptors and handed straight to the MethodTable (no gRPC channel: an
// in-process channel measured 0.6x the throughput), then answered in the
// ServiceStack dialect. Also serves /healthz, /readyz and /metrics.
//
// Usage (the binary's composition root):
//   HttpGatewayOptions http;
//   http.address = "0.0.0.0:8080";
//   options.http_frontend = HttpGateway::Factory(http);
//
// Thread-safety: Shutdown() and port() may be called from any thread.
// The FrontendEnvironment's pointers are not owned and must outlive the
// gateway.
#ifndef GATEWAY_HTTP_GATEWAY_H_
#define GATEWAY_HTTP_GATEWAY_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "gateway/connection_registry.h"
#include "gateway/http_connection.h"
#include "gateway/rest_dispatcher.h"
#include "gateway/route_table.h"
#include "service/frontend.h"

namespace sessions::gateway {

struct HttpGatewayOptions {
  // "host:port"; port 0 picks a free port (see port()).
  std::string address = "0.0.0.0:8080";
  // Browser origins allowed to call with credentials (CORS); empty: none.
  std::vector<std::string> cors_allowed_origins;
  size_t max_header_bytes = 16 * 1024;       // larger: 431
  size_t max_body_bytes = 4 * 1024 * 1024;   // larger: 413
  absl::Duration read_timeout = absl::Seconds(30);  // whole request
  absl::Duration idle_timeout = absl::Seconds(60);  // between requests
  int max_connections = 1024;  // more are accepted and closed at once
  int threads = 2;             // io threads (handlers run on them)
  // Method full name -> ServiceStack operation name for predefined routes.
  ServiceStackOperations servicestack_operations = DefaultServiceStackOperations();
};

class HttpGateway final : public Frontend {
 public:
  // Returns a factory that builds and starts a gateway over the server's
  // environment. The factory's errors: INVALID_ARGUMENT (bad address or
  // annotation), UNAVAILABLE (the address cannot be bound).
  static FrontendFactory Factory(HttpGatewayOptions options);

  // Builds the routes, binds, and starts serving.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(const HttpGatewayOptions& options,
                                                           const FrontendEnvironment& env);

  ~HttpGateway() override;
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  int port() const override { return port_; }
  // Stops accepting, lets requests in flight finish until `deadline`, then
  // closes every connection and joins the io threads. Idempotent.
  void Shutdown(absl::Time deadline) override;

 private:
  HttpGateway(const HttpGatewayOptions& options, const FrontendEnvironment& env,
              std::unique_ptr<RouteTable> routes);
  absl::Status Listen();
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  const HttpGatewayOptions options_;
  const std::unique_ptr<RouteTable> routes_;
  const RestDispatcher dispatcher_;
  ConnectionLimits limits_;
  // Declared before io_ so it is destroyed after it.
  std::shared_ptr<ConnectionRegistry> registry_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on a strand of io_
  std::vector<std::thread> threads_;
  int port_ = 0;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_GATEWAY_H_
