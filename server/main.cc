// sessions_server: turns flags (with SESSIONS_* environment fallbacks) into
// ServerOptions, starts the Server, and stops it cleanly on SIGTERM/SIGINT/SIGHUP.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "gateway/transcode/http_gateway.h"
#include "server/env_flags.h"
#include "server/server.h"
#include "server/server_process.h"
#include "spdlog/spdlog.h"
#include "storage/factory/store_flags.h"

ABSL_FLAG(std::string, grpc_address, "0.0.0.0:50051",
          "gRPC listen address (host:port; port 0 = any free port)");
ABSL_FLAG(std::string, http_address, "0.0.0.0:8080",
          "REST/health/metrics listen address; empty disables HTTP");
ABSL_FLAG(bool, demo_data, false, "Fill an empty database with demo sessions");
ABSL_FLAG(std::string, bootstrap_token_file, "",
          "File holding a bearer token to accept as an admin token");
ABSL_FLAG(std::string, bootstrap_account, "admin", "Account of the bootstrap token");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "How long in-flight calls may finish after SIGTERM");
ABSL_FLAG(absl::Duration, retention, absl::Hours(24),
          "How long ended sessions stay in the change feed (how far back a watch can resume)");
ABSL_FLAG(absl::Duration, token_cache_ttl, absl::Seconds(10),
          "--store=postgres: how long a replica may authenticate a token from memory; a change "
          "to a token (revocation) reaches every replica by NOTIFY within milliseconds, this "
          "bounds how late one is seen if notifications are lost; 0 reads the database on every "
          "call");
ABSL_FLAG(int64_t, watch_max_resume_changes, 100000,
          "A watch resume that would read more of the store's changes (all accounts) than this "
          "is refused with OUT_OF_RANGE: list again");
ABSL_FLAG(absl::Duration, view_poll_interval, absl::Milliseconds(250),
          "How often the live view reads the store's changes on its own: the bound on how late "
          "writes of other processes on the database (sessionsctl) appear");
ABSL_FLAG(uint32_t, view_rendering_cache_mb, 256,
          "Memory the REST renderings (JSON, JSV) of live-view sessions may use; past it answers "
          "render the sessions on every call");
ABSL_FLAG(absl::Duration, watch_bookmark_interval, absl::Seconds(10),
          "How often an idle watch stream gets a bookmark (its current revision)");
ABSL_FLAG(absl::Duration, watch_max_lifetime, absl::Minutes(30),
          "A watch stream ends (UNAVAILABLE) after this long; clients resume from their last "
          "revision, spreading over replicas again");
ABSL_FLAG(absl::Duration, watch_token_recheck_interval, absl::Seconds(30),
          "How often the tokens of open watch streams are checked again (a revoked or expired "
          "token's streams end within this)");
ABSL_FLAG(int, max_watches, 10000, "Open watch streams the server accepts, all tokens together");
ABSL_FLAG(int, max_watches_per_token, 100, "Open watch streams one token may have");
ABSL_FLAG(int, watch_max_pending, 10000,
          "Sessions with unsent changes a watch stream may have before it is ended "
          "(RESOURCE_EXHAUSTED: the client reads too slowly)");
ABSL_FLAG(int, grpc_max_concurrent_streams, 256,
          "Calls one gRPC connection may have open at once (more wait in the client)");
ABSL_FLAG(absl::Duration, grpc_keepalive_time, absl::Minutes(1),
          "Ping a gRPC connection idle this long (dead peers are closed)");
ABSL_FLAG(absl::Duration, grpc_keepalive_timeout, absl::Seconds(20),
          "Close a gRPC connection whose ping is not answered within this");
ABSL_FLAG(absl::Duration, grpc_max_connection_age, absl::Minutes(30),
          "Send GOAWAY to gRPC connections older than this (rebalances replicas)");
ABSL_FLAG(absl::Duration, grpc_max_connection_age_grace, absl::Minutes(5),
          "Then let their calls finish for this long (then UNAVAILABLE)");
ABSL_FLAG(absl::Duration, grpc_max_connection_idle, absl::Minutes(5),
          "Send GOAWAY to gRPC connections that had no call for this long");
ABSL_FLAG(absl::Duration, grpc_handshake_timeout, absl::Seconds(10),
          "Close gRPC connections that have not completed the HTTP/2 preface within this");
ABSL_FLAG(int, grpc_max_unread_answers_per_token, 64,
          "GetActiveSessions answers one token's clients may leave unread before the next are "
          "refused (RESOURCE_EXHAUSTED)");
ABSL_FLAG(uint32_t, grpc_memory_quota_mb, 256, "Memory all gRPC connections' buffers may use");
ABSL_FLAG(int, http_max_connections, 1024, "Open HTTP connections (more are closed at accept)");
ABSL_FLAG(int, http_max_connections_per_peer, 256,
          "Open HTTP connections from one IP address (behind a proxy: raise to "
          "--http_max_connections)");
ABSL_FLAG(uint32_t, http_max_buffered_body_mb, 64,
          "Request bodies all HTTP connections may buffer at once (then 503)");
ABSL_FLAG(absl::Duration, http_request_timeout, absl::Seconds(30),
          "Time a client has to send one whole HTTP request");
ABSL_FLAG(absl::Duration, http_idle_timeout, absl::Seconds(60),
          "Idle HTTP keep-alive connections are closed after this");
ABSL_FLAG(absl::Duration, server_events_heartbeat_interval, absl::Seconds(10),
          "How often ServiceStack Server Events clients are told to send a heartbeat");
ABSL_FLAG(absl::Duration, server_events_idle_timeout, absl::Seconds(30),
          "A Server Events subscription without a heartbeat for this long is closed");
ABSL_FLAG(std::string, log_level, "info", "Log level: debug, info, warn, error");
ABSL_FLAG(std::vector<std::string>, cors_allowed_origins, {},
          "Origins allowed to call the REST API from browsers (comma list)");

namespace {

const std::vector<std::pair<std::string, std::string>> kEnvFallbacks = {
    {"grpc_address", "SESSIONS_GRPC_ADDRESS"},
    {"http_address", "SESSIONS_HTTP_ADDRESS"},
    {"demo_data", "SESSIONS_DEMO_DATA"},
    {"bootstrap_token_file", "SESSIONS_BOOTSTRAP_TOKEN_FILE"},
    {"bootstrap_account", "SESSIONS_BOOTSTRAP_ACCOUNT"},
    {"drain_timeout", "SESSIONS_DRAIN_TIMEOUT"},
    {"retention", "SESSIONS_RETENTION"},
    {"token_cache_ttl", "SESSIONS_TOKEN_CACHE_TTL"},
    {"view_poll_interval", "SESSIONS_VIEW_POLL_INTERVAL"},
    {"watch_max_resume_changes", "SESSIONS_WATCH_MAX_RESUME_CHANGES"},
    {"view_rendering_cache_mb", "SESSIONS_VIEW_RENDERING_CACHE_MB"},
    {"watch_bookmark_interval", "SESSIONS_WATCH_BOOKMARK_INTERVAL"},
    {"watch_max_lifetime", "SESSIONS_WATCH_MAX_LIFETIME"},
    {"watch_token_recheck_interval", "SESSIONS_WATCH_TOKEN_RECHECK_INTERVAL"},
    {"max_watches", "SESSIONS_MAX_WATCHES"},
    {"max_watches_per_token", "SESSIONS_MAX_WATCHES_PER_TOKEN"},
    {"watch_max_pending", "SESSIONS_WATCH_MAX_PENDING"},
    {"grpc_max_concurrent_streams", "SESSIONS_GRPC_MAX_CONCURRENT_STREAMS"},
    {"grpc_max_connection_idle", "SESSIONS_GRPC_MAX_CONNECTION_IDLE"},
    {"grpc_handshake_timeout", "SESSIONS_GRPC_HANDSHAKE_TIMEOUT"},
    {"grpc_keepalive_time", "SESSIONS_GRPC_KEEPALIVE_TIME"},
    {"grpc_keepalive_timeout", "SESSIONS_GRPC_KEEPALIVE_TIMEOUT"},
    {"grpc_max_connection_age", "SESSIONS_GRPC_MAX_CONNECTION_AGE"},
    {"grpc_max_connection_age_grace", "SESSIONS_GRPC_MAX_CONNECTION_AGE_GRACE"},
    {"grpc_memory_quota_mb", "SESSIONS_GRPC_MEMORY_QUOTA_MB"},
    {"grpc_max_unread_answers_per_token", "SESSIONS_GRPC_MAX_UNREAD_ANSWERS_PER_TOKEN"},
    {"http_max_connections", "SESSIONS_HTTP_MAX_CONNECTIONS"},
    {"http_max_connections_per_peer", "SESSIONS_HTTP_MAX_CONNECTIONS_PER_PEER"},
    {"http_max_buffered_body_mb", "SESSIONS_HTTP_MAX_BUFFERED_BODY_MB"},
    {"http_request_timeout", "SESSIONS_HTTP_REQUEST_TIMEOUT"},
    {"http_idle_timeout", "SESSIONS_HTTP_IDLE_TIMEOUT"},
    {"server_events_heartbeat_interval", "SESSIONS_SERVER_EVENTS_HEARTBEAT_INTERVAL"},
    {"server_events_idle_timeout", "SESSIONS_SERVER_EVENTS_IDLE_TIMEOUT"},
    {"log_level", "SESSIONS_LOG_LEVEL"},
    {"cors_allowed_origins", "SESSIONS_CORS_ALLOWED_ORIGINS"},
};

absl::StatusOr<sessions::ServerOptions> OptionsFromFlags() {
  sessions::ServerOptions options;
  absl::StatusOr<sessions::StoreConfig> store = sessions::StoreConfigFromFlags();
  if (!store.ok()) return store.status();
  options.storage.engine = store->engine;
  options.storage.db_path = store->sqlite_path;
  options.storage.postgres_dsn = store->postgres_dsn;
  options.grpc.address = absl::GetFlag(FLAGS_grpc_address);
  options.grpc.max_concurrent_streams = absl::GetFlag(FLAGS_grpc_max_concurrent_streams);
  options.grpc.keepalive_time = absl::GetFlag(FLAGS_grpc_keepalive_time);
  options.grpc.keepalive_timeout = absl::GetFlag(FLAGS_grpc_keepalive_timeout);
  options.grpc.max_connection_age = absl::GetFlag(FLAGS_grpc_max_connection_age);
  options.grpc.max_connection_age_grace = absl::GetFlag(FLAGS_grpc_max_connection_age_grace);
  options.grpc.max_connection_idle = absl::GetFlag(FLAGS_grpc_max_connection_idle);
  options.grpc.handshake_timeout = absl::GetFlag(FLAGS_grpc_handshake_timeout);
  options.grpc.memory_quota_bytes = int64_t{absl::GetFlag(FLAGS_grpc_memory_quota_mb)} << 20;
  options.grpc.max_unread_answers_per_token =
      absl::GetFlag(FLAGS_grpc_max_unread_answers_per_token);
  options.storage.demo_data = absl::GetFlag(FLAGS_demo_data);
  options.auth.bootstrap_token_file = absl::GetFlag(FLAGS_bootstrap_token_file);
  options.auth.bootstrap_account = absl::GetFlag(FLAGS_bootstrap_account);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  options.storage.retention = absl::GetFlag(FLAGS_retention);
  options.storage.token_cache_ttl = absl::GetFlag(FLAGS_token_cache_ttl);
  options.live_view.poll_interval = absl::GetFlag(FLAGS_view_poll_interval);
  options.live_view.max_resume_changes = absl::GetFlag(FLAGS_watch_max_resume_changes);
  options.live_view.rendering_cache_bytes = int64_t{absl::GetFlag(FLAGS_view_rendering_cache_mb)}
                                            << 20;
  options.watch.max_watches = absl::GetFlag(FLAGS_max_watches);
  options.watch.token_recheck_interval = absl::GetFlag(FLAGS_watch_token_recheck_interval);
  options.watch.max_watches_per_token = absl::GetFlag(FLAGS_max_watches_per_token);
  options.watch.stream.bookmark_interval = absl::GetFlag(FLAGS_watch_bookmark_interval);
  options.watch.stream.max_pending = absl::GetFlag(FLAGS_watch_max_pending);
  options.watch.stream.max_lifetime = absl::GetFlag(FLAGS_watch_max_lifetime);
  const std::string http_address = absl::GetFlag(FLAGS_http_address);
  if (!http_address.empty()) {
    sessions::gateway::HttpGatewayOptions http;
    http.server.address = http_address;
    http.server.max_connections = absl::GetFlag(FLAGS_http_max_connections);
    http.server.max_connections_per_peer = absl::GetFlag(FLAGS_http_max_connections_per_peer);
    http.server.max_buffered_body_bytes = size_t{absl::GetFlag(FLAGS_http_max_buffered_body_mb)}
                                          << 20;
    http.server.read_timeout = absl::GetFlag(FLAGS_http_request_timeout);
    http.server.idle_timeout = absl::GetFlag(FLAGS_http_idle_timeout);
    http.cors_allowed_origins = absl::GetFlag(FLAGS_cors_allowed_origins);
    http.server_events.heartbeat_interval = absl::GetFlag(FLAGS_server_events_heartbeat_interval);
    http.server_events.idle_timeout = absl::GetFlag(FLAGS_server_events_idle_timeout);
    options.http = http;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  sessions::SetUpServerProcess();  // main() waits for the stop signals below
  absl::SetProgramUsageMessage("Active Sessions gRPC + REST server");
  std::vector<std::pair<std::string, std::string>> env_fallbacks = kEnvFallbacks;
  for (const auto& pair : sessions::StoreFlagEnvFallbacks()) env_fallbacks.push_back(pair);
  if (absl::Status env = sessions::ApplyEnvFlagFallbacks(env_fallbacks); !env.ok()) {
    std::fprintf(stderr, "sessions_server: %s\n", std::string(env.message()).c_str());
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::from_str(absl::GetFlag(FLAGS_log_level)));

  absl::StatusOr<sessions::ServerOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    std::fprintf(stderr, "sessions_server: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<sessions::Server>> server =
      sessions::Server::BuildAndStart(*options);
  if (!server.ok()) {
    std::fprintf(stderr, "sessions_server: cannot start: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  spdlog::info("sessions_server listening grpc=127.0.0.1:{} http={} store={}",
               (*server)->grpc_port(),
               (*server)->http_port() > 0 ? "127.0.0.1:" + std::to_string((*server)->http_port())
                                          : std::string("off"),
               sessions::DescribeStore(options->storage.StoreConfigOf()));
  // A machine-readable readiness line for scripts and tests.
  std::printf("READY grpc_port=%d http_port=%d\n", (*server)->grpc_port(), (*server)->http_port());
  std::fflush(stdout);

  const int signal_number = sessions::WaitForStopSignal();
  spdlog::info("received signal {}, draining (up to {})", signal_number,
               absl::FormatDuration(absl::GetFlag(FLAGS_drain_timeout)));
  (*server)->Shutdown();
  return 0;
}
