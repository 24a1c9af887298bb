// The Active Sessions server: owns the store, the auth, the method table,
// the gRPC server (health + reflection + API services) and the optional REST
// gateway, and stops them in order. The one place that sees both transports.
//
// Usage:
//   ServerOptions options;
//   options.storage.db_path = "/data/sessions.db";
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::BuildAndStart(options);
//   if (!server.ok()) { /* print server.status(), exit 1 */ }
//   ... (*server)->Shutdown();   // e.g. on SIGTERM
#ifndef SERVER_SERVER_H_
#define SERVER_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/background_queue.h"
#include "common/worker_thread.h"
#include "gateway/transcode/http_gateway.h"
#include "grpcpp/server.h"
#include "server/server_metrics.h"
#include "service/handlers/watch_handler.h"
#include "service/live_view.h"
#include "service/method_table.h"
#include "storage/factory/store_factory.h"
#include "storage/session_store.h"
#include "storage/token_store.h"

namespace sessions {

class Authenticator;
class PortalHandler;
class IngestHandler;
class UnreadAnswers;

struct ServerOptions {
  // Limits of the gRPC port, each bounding what one client can hold.
  struct Grpc {
    std::string address = "0.0.0.0:50051";
    // Streams (calls) one HTTP/2 connection may have open at once; more
    // wait in the client until one ends (watches are streams too).
    int max_concurrent_streams = 256;
    // The server pings a connection idle this long and closes it when no
    // answer comes within the timeout: dead peers (a laptop closed, a NAT
    // entry dropped) do not keep their watch streams and memory forever.
    absl::Duration keepalive_time = absl::Minutes(1);
    absl::Duration keepalive_timeout = absl::Seconds(20);
    // After this age a connection is told to go away (GOAWAY: new calls go
    // to a new connection, perhaps another replica); calls still running
    // get the grace period, then end with UNAVAILABLE.
    absl::Duration max_connection_age = absl::Minutes(30);
    absl::Duration max_connection_age_grace = absl::Minutes(5);
    // A connection with no call for this long is told to go away (clients
    // reconnect on their next call): forgotten and idle clients do not hold
    // connections until max_connection_age.
    absl::Duration max_connection_idle = absl::Minutes(5);
    // A connection that has not completed the HTTP/2 preface and settings
    // within this is closed: sockets that connect and say nothing cost
    // their file descriptor for seconds, not gRPC's default two minutes.
    absl::Duration handshake_timeout = absl::Seconds(10);
    // Memory gRPC may use for all connections' buffers together (its
    // resource quota); under pressure it reads less and sheds connections.
    int64_t memory_quota_bytes = int64_t{256} << 20;
    // GetActiveSessions answers one token's clients may leave unread (a
    // closed flow-control window) before its next ones are refused; the
    // quota does not count them (service/grpc/unread_answers.h).
    int max_unread_answers_per_token = 64;
  } grpc;
  struct Storage {
    StoreEngine engine = StoreEngine::kSqlite;
    // SQLite: the database file.
    std::string db_path = "sessions.db";
    // PostgreSQL: the libpq connection string (a secret: never logged).
    std::string postgres_dsn;
    bool demo_data = false;  // fill an empty database with demo sessions
    // How long ended sessions stay in the change feed (watch resumes), and
    // how often the purge of older ones runs.
    absl::Duration retention = absl::Hours(24);
    absl::Duration purge_interval = absl::Minutes(1);
    // PostgreSQL: how long a token may be served from memory (a revocation
    // arrives by NOTIFY within milliseconds; this bounds a lost one).
    absl::Duration token_cache_ttl = absl::Seconds(10);

    StoreConfig StoreConfigOf() const;
  } storage;
  LiveViewOptions live_view;
  WatchLimits watch;
  struct Auth {
    // File holding a bearer token to accept as an admin token (k8s Secret).
    std::string bootstrap_token_file;
    std::string bootstrap_account = "admin";
  } auth;
  // How long in-flight calls may run after Shutdown() starts.
  absl::Duration drain_timeout = absl::Seconds(10);

  // Composition hooks (the binary's main() and the bench/test servers).
  std::optional<gateway::HttpGatewayOptions> http;  // unset: no HTTP port
  std::function<void(MethodTable*, LiveView*)> register_extra_methods;
  std::vector<grpc::Service*> extra_grpc_services;  // not owned
};

class Server {
 public:
  // Opens the store, registers every method, starts gRPC (and HTTP). Errors:
  // the store cannot be opened, a listen address cannot be bound, the
  // bootstrap token file cannot be read.
  static absl::StatusOr<std::unique_ptr<Server>> BuildAndStart(const ServerOptions& options);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_ ? http_->port() : 0; }
  TokenStore* token_store();

  // Health → NOT_SERVING at once, stops accepting calls, lets in-flight ones
  // finish until drain_timeout, then closes the store. Idempotent.
  void Shutdown();

 private:
  explicit Server(const ServerOptions& options);
  absl::Status Start();
  // Ready to take calls: not draining, and the live view reads the store
  // (its last read of the feed worked), so answers are not going stale.
  bool Ready() const;
  // The readiness thread: keeps the gRPC health status equal to Ready().
  void FollowReadiness();

  // How often readiness is re-evaluated (probes come every few seconds).
  static constexpr absl::Duration kReadinessInterval = absl::Seconds(1);

  ServerOptions options_;
  std::unique_ptr<SessionStore> session_store_;
  std::unique_ptr<TokenStore> token_store_;
  std::unique_ptr<LiveView> live_view_;
  std::unique_ptr<ServerMetrics> metrics_;
  // Runs tokens' last-use writes off the calls: declared (so destroyed)
  // between the token store it writes to and the authenticator posting to it.
  std::unique_ptr<BackgroundQueue> token_use_recorder_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<MethodTable> method_table_;
  std::unique_ptr<PortalHandler> portal_handler_;
  std::unique_ptr<IngestHandler> ingest_handler_;
  std::unique_ptr<WatchHandler> watch_handler_;
  std::unique_ptr<UnreadAnswers> unread_answers_;  // before the services using it
  std::vector<std::unique_ptr<grpc::Service>> grpc_services_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<gateway::HttpGateway> http_;
  int grpc_port_ = 0;
  absl::Mutex readiness_mu_;
  bool readiness_stop_ ABSL_GUARDED_BY(readiness_mu_) = false;
  std::optional<WorkerThread> readiness_thread_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> shut_down_{false};
};

}  // namespace sessions

#endif  // SERVER_SERVER_H_
