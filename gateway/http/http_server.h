// The HTTP/1.1 server (Boost.Beast + Asio): listens, accepts, enforces the
// connection limits, runs the io threads, and drains on Shutdown(). What a
// request means is the RequestHandler's business (for the REST API:
// gateway/transcode's RestDispatcher, which HttpGateway puts behind one).
//
// Usage:
//   HttpServerOptions options;
//   options.address = "127.0.0.1:0";
//   auto server = HttpServer::Start(options, &handler);
//   ... (*server)->port() ...
//   (*server)->Shutdown(absl::Now() + absl::Seconds(10));
//
// Thread-safety: Shutdown() and port() may be called from any thread.
#ifndef GATEWAY_HTTP_HTTP_SERVER_H_
#define GATEWAY_HTTP_HTTP_SERVER_H_

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
#include "gateway/http/connection_registry.h"
#include "gateway/http/http_connection.h"
#include "gateway/http/request_handler.h"

namespace sessions::gateway {

struct HttpServerOptions {
  // "host:port"; port 0 picks a free port (see port()).
  std::string address = "0.0.0.0:8080";
  size_t max_header_bytes = 16 * 1024;      // larger: 431
  size_t max_body_bytes = 4 * 1024 * 1024;  // larger: 413
  // Request bodies all connections may buffer at once (declared
  // Content-Length; a chunked body counts as max_body_bytes); past it: 503.
  size_t max_buffered_body_bytes = 64 * 1024 * 1024;
  absl::Duration read_timeout = absl::Seconds(30);  // whole request
  absl::Duration idle_timeout = absl::Seconds(60);  // between requests
  int max_connections = 1024;                       // more are accepted and closed at once
  // From one IP address (behind a proxy every client shares the proxy's:
  // raise it to max_connections there).
  int max_connections_per_peer = 256;
  int threads = 2;  // io threads (handlers run on them)
};

class HttpServer {
 public:
  // Binds and starts serving. `handler` is not owned and must outlive the
  // server. Errors: INVALID_ARGUMENT (bad address), UNAVAILABLE (the
  // address cannot be bound).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           const RequestHandler* handler);

  ~HttpServer();  // Shutdown(now)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (useful when the address asked for port 0).
  int port() const { return port_; }
  // Stops accepting, lets requests in flight finish until `deadline`, then
  // closes every connection and joins the io threads. Idempotent.
  void Shutdown(absl::Time deadline);

 private:
  HttpServer(const HttpServerOptions& options, const RequestHandler* handler);
  absl::Status Listen();
  void Accept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  const HttpServerOptions options_;
  const RequestHandler* handler_;
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

#endif  // GATEWAY_HTTP_HTTP_SERVER_H_
