// bench_server: the Active Sessions server as sessions_server builds it
// (same Server, same method table, tcmalloc, the REST gateway) plus the
// bench-only BenchControlService (NoopRaw, NoopRest; bench_service.h),
// which exists in this binary only. Driven by bench/run.sh.
//
//   taskset -c 0 bench_server --db_path=/tmp/bench.db
//       --grpc_address=127.0.0.1:0 --http_address=127.0.0.1:0
// prints one line `READY grpc_port=N http_port=M` on stdout once both
// ports serve, then runs until SIGTERM/SIGINT/SIGHUP (graceful drain).
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "bench/bench_service.h"
#include "gateway/codec/field_plan.h"
#include "gateway/transcode/http_gateway.h"
#include "server/server.h"
#include "server/server_process.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, grpc_address, "127.0.0.1:0", "gRPC listen address (port 0 = any free port)");
ABSL_FLAG(std::string, http_address, "127.0.0.1:0", "REST listen address; empty disables HTTP");
ABSL_FLAG(std::string, db_path, "bench.db", "SQLite database (see gen_data)");
ABSL_FLAG(std::string, log_level, "info",
          "Log level; the default is sessions_server's (one access-log line per call, to "
          "stdout), so the bench measures what production runs");
ABSL_FLAG(int, http_threads, 2, "REST gateway io threads");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(2), "Drain time on SIGTERM");
ABSL_FLAG(bool, codec_fast_path, true,
          "JSON/JSV writers read fields by memory layout (false: by Reflection only; the A/B of "
          "bench/codec_fast_path_ab.sh)");

namespace sessions::bench {
namespace {

int Run() {
  spdlog::set_level(spdlog::level::from_str(absl::GetFlag(FLAGS_log_level)));
  gateway::SetFastAccessEnabledForTesting(absl::GetFlag(FLAGS_codec_fast_path));
  BenchService bench;
  ServerOptions options;
  options.grpc.address = absl::GetFlag(FLAGS_grpc_address);
  options.storage.db_path = absl::GetFlag(FLAGS_db_path);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  options.extra_grpc_services = {bench.grpc_service()};
  options.register_extra_methods = [&bench](MethodTable* table, LiveView* view) {
    bench.RegisterIn(table, view);
  };
  const std::string http_address = absl::GetFlag(FLAGS_http_address);
  if (!http_address.empty()) {
    gateway::HttpGatewayOptions http;
    http.server.address = http_address;
    http.server.threads = absl::GetFlag(FLAGS_http_threads);
    options.http = http;
  }

  absl::StatusOr<std::unique_ptr<Server>> server = Server::BuildAndStart(options);
  if (!server.ok()) {
    std::fprintf(stderr, "bench_server: cannot start: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("READY grpc_port=%d http_port=%d\n", (*server)->grpc_port(), (*server)->http_port());
  std::fflush(stdout);

  WaitForStopSignal();
  (*server)->Shutdown();
  return 0;
}

}  // namespace
}  // namespace sessions::bench

int main(int argc, char** argv) {
  sessions::SetUpServerProcess();  // Run() waits for the stop signals
  absl::SetProgramUsageMessage("Active Sessions server + bench-only RPCs (bench/run.sh)");
  absl::ParseCommandLine(argc, argv);
  return sessions::bench::Run();
}
