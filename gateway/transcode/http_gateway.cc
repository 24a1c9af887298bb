#include "gateway/transcode/http_gateway.h"

#include <utility>

#include "spdlog/spdlog.h"

namespace sessions::gateway {

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(const HttpGatewayOptions& options,
                                                                const GatewayEnvironment& env) {
  if (env.method_table == nullptr) return absl::InvalidArgumentError("no method table");
  absl::StatusOr<std::unique_ptr<RouteTable>> routes =
      RouteTable::Build(*env.method_table, options.servicestack_operations);
  if (!routes.ok()) return routes.status();
  std::unique_ptr<HttpGateway> gateway(new HttpGateway(options, env, *std::move(routes)));
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start(options.server, &gateway->dispatcher_);
  if (!server.ok()) return server.status();
  gateway->server_ = *std::move(server);
  spdlog::info("http gateway listening on port {} ({} routes)", gateway->port(),
               gateway->routes_->routes().size());
  return gateway;
}

HttpGateway::HttpGateway(const HttpGatewayOptions& options, const GatewayEnvironment& env,
                         std::unique_ptr<RouteTable> routes)
    : routes_(std::move(routes)),
      dispatcher_(env, routes_.get(), options.cors_allowed_origins, options.static_assets,
                  options.server_events) {}

}  // namespace sessions::gateway
