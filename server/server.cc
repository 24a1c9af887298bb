#include "server/server.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "gateway/ui/ui_assets.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "server/live_view_metrics.h"
#include "server/store_metrics.h"
#include "service/auth/token_authenticator.h"
#include "service/auth/token_file.h"
#include "service/grpc/ingest_grpc_service.h"
#include "service/grpc/portal_grpc_service.h"
#include "service/grpc/unread_answers.h"
#include "service/handlers/ingest_handler.h"
#include "service/handlers/portal_handler.h"
#include "spdlog/spdlog.h"
#include "storage/sample/demo_data.h"

namespace sessions {
namespace {

// Last-use writes waiting (at most one per token per minute): beyond this
// many, a stuck database drops them rather than grow the queue.
constexpr size_t kMaxPendingTokenUses = 10000;

int Millis(absl::Duration d) {
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d), INT_MAX));
}

absl::Status ValidateGrpcLimits(const ServerOptions::Grpc& limits) {
  if (limits.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError("grpc max_concurrent_streams: must be at least 1");
  }
  if (limits.max_unread_answers_per_token < 1) {
    return absl::InvalidArgumentError("grpc max_unread_answers_per_token: must be at least 1");
  }
  for (const auto& [name, value] :
       {std::pair<const char*, absl::Duration>{"keepalive_time", limits.keepalive_time},
        {"keepalive_timeout", limits.keepalive_timeout},
        {"max_connection_age", limits.max_connection_age},
        {"max_connection_age_grace", limits.max_connection_age_grace},
        {"max_connection_idle", limits.max_connection_idle},
        {"handshake_timeout", limits.handshake_timeout}}) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat("grpc ", name, ": must be positive"));
    }
  }
  if (limits.memory_quota_bytes < (int64_t{1} << 20)) {
    return absl::InvalidArgumentError("grpc memory quota: must be at least 1 MiB");
  }
  return absl::OkStatus();
}

void ApplyGrpcLimits(const ServerOptions::Grpc& limits, grpc::ServerBuilder* builder) {
  builder->AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Millis(limits.keepalive_time));
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Millis(limits.keepalive_timeout));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, Millis(limits.max_connection_age));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                              Millis(limits.max_connection_age_grace));
  builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Millis(limits.max_connection_idle));
  builder->AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                              Millis(limits.handshake_timeout));
  grpc::ResourceQuota quota("sessions_server");
  quota.Resize(static_cast<size_t>(limits.memory_quota_bytes));
  builder->SetResourceQuota(quota);
}

}  // namespace

StoreConfig ServerOptions::Storage::StoreConfigOf() const {
  StoreConfig config;
  config.engine = engine;
  config.sqlite_path = db_path;
  config.postgres_dsn = postgres_dsn;
  config.retention.keep_ended = retention;
  config.retention.purge_interval = purge_interval;
  config.token_cache_ttl = token_cache_ttl;
  return config;
}

Server::Server(const ServerOptions& options) : options_(options) {}

Server::~Server() { Shutdown(); }

TokenStore* Server::token_store() { return token_store_.get(); }

absl::StatusOr<std::unique_ptr<Server>> Server::BuildAndStart(const ServerOptions& options) {
  std::unique_ptr<Server> server(new Server(options));
  RETURN_IF_ERROR(server->Start());
  return server;
}

absl::Status Server::Start() {
  RETURN_IF_ERROR(ValidateGrpcLimits(options_.grpc));
  const StoreConfig store_config = options_.storage.StoreConfigOf();
  ASSIGN_OR_RETURN(session_store_, OpenSessionStore(store_config));
  ASSIGN_OR_RETURN(token_store_, OpenTokenStore(store_config));
  if (!options_.auth.bootstrap_token_file.empty()) {
    ASSIGN_OR_RETURN(std::string token, auth::ReadTokenFile(options_.auth.bootstrap_token_file,
                                                            "bootstrap token file"));
    RETURN_IF_ERROR(EnsureBootstrapToken(token_store_.get(), token, options_.auth.bootstrap_account,
                                         "bootstrap"));
  }
  if (options_.storage.demo_data) RETURN_IF_ERROR(FillDemoData(session_store_.get()));
  ASSIGN_OR_RETURN(live_view_, LiveView::Start(session_store_.get(), options_.live_view));

  metrics_ = std::make_unique<ServerMetrics>();
  metrics_->AddCollectable(std::make_shared<StoreMetrics>(session_store_.get()));
  token_use_recorder_ = std::make_unique<BackgroundQueue>("token-use", kMaxPendingTokenUses);
  TokenAuthenticator::Options auth_options;
  auth_options.use_recorder = token_use_recorder_.get();
  authenticator_ = std::make_unique<TokenAuthenticator>(token_store_.get(), auth_options);
  method_table_ = std::make_unique<MethodTable>(authenticator_.get(), metrics_.get());
  portal_handler_ = std::make_unique<PortalHandler>(live_view_.get());
  portal_handler_->RegisterIn(method_table_.get());
  ingest_handler_ = std::make_unique<IngestHandler>(session_store_.get(), live_view_.get(),
                                                    [] { return absl::Now(); });
  ingest_handler_->RegisterIn(method_table_.get());
  watch_handler_ =
      std::make_unique<WatchHandler>(live_view_.get(), authenticator_.get(), options_.watch);
  watch_handler_->RegisterIn(method_table_.get());
  metrics_->AddCollectable(
      std::make_shared<LiveViewMetrics>(live_view_.get(), watch_handler_.get()));
  if (options_.register_extra_methods) {
    options_.register_extra_methods(method_table_.get(), live_view_.get());
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.grpc.address, grpc::InsecureServerCredentials(), &grpc_port_);
  // Writes are capped per message (see IngestLimits); 4 MiB is gRPC's default.
  builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
  ApplyGrpcLimits(options_.grpc, &builder);
  unread_answers_ = std::make_unique<UnreadAnswers>(options_.grpc.max_unread_answers_per_token);
  grpc_services_.push_back(
      std::make_unique<PortalGrpcService>(method_table_.get(), unread_answers_.get()));
  grpc_services_.push_back(std::make_unique<IngestGrpcService>(method_table_.get()));
  for (auto& service : grpc_services_) builder.RegisterService(service.get());
  for (grpc::Service* service : options_.extra_grpc_services) builder.RegisterService(service);
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", options_.grpc.address));
  }

  if (options_.http.has_value()) {
    gateway::GatewayEnvironment env;
    env.method_table = method_table_.get();
    env.metrics = metrics_.get();
    env.is_ready = [this] { return Ready(); };
    gateway::HttpGatewayOptions http = *options_.http;
    http.static_assets = gateway::UiAssets();
    ASSIGN_OR_RETURN(http_, gateway::HttpGateway::Start(http, env));
  }
  grpc_server_->GetHealthCheckService()->SetServingStatus(true);
  readiness_thread_.emplace("readiness", [this] { FollowReadiness(); });
  return absl::OkStatus();
}

bool Server::Ready() const { return !draining_.load() && !live_view_->stats().feed_failing; }

void Server::FollowReadiness() {
  bool serving = true;
  absl::MutexLock lock(&readiness_mu_);
  while (!readiness_stop_) {
    readiness_mu_.AwaitWithTimeout(absl::Condition(&readiness_stop_), kReadinessInterval);
    if (readiness_stop_) return;
    if (const bool ready = Ready(); ready != serving) {
      serving = ready;
      spdlog::warn("readiness: {}", ready ? "the store is readable again: SERVING"
                                          : "the store cannot be read: NOT_SERVING");
      grpc_server_->GetHealthCheckService()->SetServingStatus(ready);
    }
  }
}

void Server::Shutdown() {
  if (shut_down_.exchange(true)) return;
  draining_ = true;
  // Stopped first: it must not report SERVING again after this.
  if (readiness_thread_) {
    {
      absl::MutexLock lock(&readiness_mu_);
      readiness_stop_ = true;
    }
    readiness_thread_->Join();
  }
  const absl::Time deadline = absl::Now() + options_.drain_timeout;
  if (grpc_server_ != nullptr) {
    // Probes see NOT_SERVING before anything else changes.
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  }
  // Watches never end by themselves: end them now (UNAVAILABLE: clients
  // resume elsewhere from their last revision) so they do not hold the
  // drain until its deadline.
  if (live_view_ != nullptr) {
    live_view_->EndWatches(
        absl::UnavailableError("the server is shutting down; resume from the last revision"));
  }
  if (watch_handler_ != nullptr) watch_handler_->Stop();
  // Both transports drain at the same time, against the same deadline.
  std::thread http_drain;
  if (http_ != nullptr) http_drain = std::thread([this, deadline] { http_->Shutdown(deadline); });
  if (grpc_server_ != nullptr) {
    grpc_server_->Shutdown(absl::ToChronoTime(deadline));
    grpc_server_->Wait();
  }
  if (http_drain.joinable()) http_drain.join();
  http_.reset();
  grpc_server_.reset();
  // The view stops reading the store before the store closes; writes
  // still queued are committed as it closes.
  if (live_view_ != nullptr) live_view_->Stop();
  session_store_.reset();
  live_view_.reset();
  // Last-use writes still queued run now, while their store is open
  // (nothing authenticates any more: both transports are down).
  token_use_recorder_.reset();
  token_store_.reset();
  spdlog::info("server stopped");
}

}  // namespace sessions
