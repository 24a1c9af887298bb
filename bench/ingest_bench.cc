// ingest_bench: durable session writes per second against a running server
// (issue 5). W writers each keep one SessionIngestService.UpsertSession in
// flight (gRPC callback client: one process keeps 64 in flight on one
// core); every update is a whole realistic session (~2 KB, see
// session_factory.h) with a fresh date_last_modified, and an OK reply means
// the write is on disk (the store's group commit shares one fsync among
// the writes pending together). A secondary line does the same with
// BatchUpsertSessions.
//
//   taskset -c 1 ingest_bench --target=127.0.0.1:PORT --token_file=write.token
//       --writers=1,8,64 --duration=5s
// prints one line per configuration:
//   INGEST mode=upsert writers=64 ok=... failed=0 stale=0 seconds=5.00
//       updates_per_s=... p50_ms=... p99_ms=...
// Exit status 1 if any call failed or nothing succeeded.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/session_factory.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server gRPC address");
ABSL_FLAG(std::string, token_file, "write.token", "File with a sessions:write token");
ABSL_FLAG(std::string, account, "", "Account to write (default: gen_data's ingest account)");
ABSL_FLAG(std::vector<std::string>, writers, std::vector<std::string>({"1", "8", "64"}),
          "Concurrent writers per run");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "Measured time per run");
ABSL_FLAG(absl::Duration, warmup, absl::Milliseconds(500), "Unmeasured time before each run");
ABSL_FLAG(int, batch_writers, 8, "Writers of the BatchUpsertSessions run (0: skip it)");
ABSL_FLAG(int, batch_size, 100, "Sessions per BatchUpsertSessions call");
ABSL_FLAG(int, sessions_per_writer, 256, "Distinct session ids each writer cycles through");

namespace sessions::bench {
namespace {

namespace v1 = ::voice::api::sessions::v1;

struct RunConfig {
  bool batch = false;
  int writers = 1;
  int batch_size = 1;
  int run_id = 0;
};

struct Totals {
  int64_t ok_calls = 0;
  int64_t sessions = 0;  // applied + stale, in OK calls
  int64_t stale = 0;
  int64_t failed = 0;
  std::string first_error;
  std::vector<int32_t> latencies_us;  // OK calls in the measured window
};

// One writer: a chain of calls, each started from the previous one's
// completion (on a gRPC thread), until the deadline.
class Writer {
 public:
  Writer(v1::SessionIngestService::Stub* stub, const std::string& token, const std::string& account,
         const RunConfig& config, int index, absl::Time measure_from, absl::Time deadline,
         std::atomic<int>* in_callbacks, std::function<void()> on_finished)
      : stub_(stub),
        token_(token),
        config_(config),
        measure_from_(measure_from),
        deadline_(deadline),
        in_callbacks_(in_callbacks),
        on_finished_(std::move(on_finished)) {
    const int pool = std::max(1, absl::GetFlag(FLAGS_sessions_per_writer));
    templates_.resize(pool);
    for (int k = 0; k < pool; ++k) {
      const int64_t seed = static_cast<int64_t>(index) * pool + k;
      FillSession(account, absl::StrFormat("ing-%d-%03d-%06d", config.run_id, index, k), seed,
                  BaseTime() + absl::Seconds(k), /*ended=*/false, &templates_[k]);
    }
  }

  void Start() { Issue(); }
  const Totals& totals() const { return totals_; }

 private:
  struct Call {
    grpc::ClientContext context;
    v1::UpsertSessionRequest single;
    v1::UpsertSessionResponse single_response;
    v1::BatchUpsertSessionsRequest batch;
    v1::BatchUpsertSessionsResponse batch_response;
    absl::Time start;
  };

  v1::SessionInfo* NextSession(v1::SessionInfo* out) {
    *out = templates_[next_++ % templates_.size()];
    out->set_date_last_modified(IsoTime(absl::Now()));
    out->mutable_log(4)->set_message(
        absl::StrFormat("update %09d of this writer, member state", next_));
    return out;
  }

  void Issue() {
    auto call = std::make_shared<Call>();
    call->context.AddMetadata("authorization", "Bearer " + token_);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->start = absl::Now();
    if (config_.batch) {
      for (int i = 0; i < config_.batch_size; ++i) NextSession(call->batch.add_sessions());
      stub_->async()->BatchUpsertSessions(
          &call->context, &call->batch, &call->batch_response,
          [this, call](grpc::Status s) mutable {
            in_callbacks_->fetch_add(1);
            Done(*call, s,
                 call->batch_response.applied_count() + call->batch_response.stale_count(),
                 call->batch_response.stale_count());
            call.reset();
            in_callbacks_->fetch_sub(1);  // last touch of this run's state
          });
    } else {
      NextSession(call->single.mutable_session());
      stub_->async()->UpsertSession(&call->context, &call->single, &call->single_response,
                                    [this, call](grpc::Status s) mutable {
                                      in_callbacks_->fetch_add(1);
                                      Done(*call, s, 1, call->single_response.applied() ? 0 : 1);
                                      call.reset();
                                      in_callbacks_->fetch_sub(1);
                                    });
    }
  }

  void Done(const Call& call, const grpc::Status& status, int sessions, int stale) {
    const absl::Time end = absl::Now();
    const bool measured = call.start >= measure_from_ && end <= deadline_;
    if (!status.ok()) {
      ++totals_.failed;
      if (totals_.first_error.empty()) {
        totals_.first_error =
            absl::StrFormat("code %d: %s", status.error_code(), status.error_message());
      }
    } else if (measured) {
      ++totals_.ok_calls;
      totals_.sessions += sessions;
      totals_.stale += stale;
      totals_.latencies_us.push_back(
          static_cast<int32_t>(absl::ToInt64Microseconds(end - call.start)));
    }
    if (end < deadline_ && status.ok()) {
      Issue();
    } else {
      on_finished_();
    }
  }

  v1::SessionIngestService::Stub* stub_;
  const std::string& token_;
  const RunConfig config_;
  const absl::Time measure_from_;
  const absl::Time deadline_;
  std::atomic<int>* in_callbacks_;  // not owned
  std::function<void()> on_finished_;
  std::vector<v1::SessionInfo> templates_;
  int64_t next_ = 0;
  Totals totals_;
};

double PercentileMs(std::vector<int32_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i] / 1000.0;
}

// Runs one configuration on a fresh connection and prints its line.
// Returns false if a call failed or none succeeded.
bool RunOne(const std::string& token, const std::string& account, const RunConfig& config) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a fresh connection per run
  auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = v1::SessionIngestService::NewStub(channel);
  const absl::Time measure_from = absl::Now() + absl::GetFlag(FLAGS_warmup);
  const absl::Time deadline = measure_from + absl::GetFlag(FLAGS_duration);
  absl::Mutex mu;
  int running = config.writers;
  // Completion callbacks still executing; the run's state may be destroyed
  // only when every writer has finished and this is back to 0.
  std::atomic<int> in_callbacks{0};
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < config.writers; ++w) {
    writers.push_back(std::make_unique<Writer>(stub.get(), token, account, config, w, measure_from,
                                               deadline, &in_callbacks, [&mu, &running] {
                                                 absl::MutexLock lock(&mu);
                                                 --running;
                                               }));
  }
  for (auto& writer : writers) writer->Start();
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&running] { return running == 0; };
    mu.AwaitWithDeadline(absl::Condition(&all_done), deadline + absl::Seconds(60));
    if (running != 0) {
      std::fprintf(stderr, "ingest_bench: %d writers still waiting after the deadline\n", running);
      std::fflush(stderr);
      std::_Exit(1);  // calls in flight still reference the writers
    }
  }
  while (in_callbacks.load() != 0) absl::SleepFor(absl::Milliseconds(1));
  Totals all;
  for (const auto& writer : writers) {
    const Totals& t = writer->totals();
    all.ok_calls += t.ok_calls;
    all.sessions += t.sessions;
    all.stale += t.stale;
    all.failed += t.failed;
    if (all.first_error.empty()) all.first_error = t.first_error;
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
  }
  const double seconds = absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration));
  std::printf(
      "INGEST mode=%s writers=%d batch=%d ok=%lld failed=%lld stale=%lld seconds=%.2f "
      "calls_per_s=%.0f updates_per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n",
      config.batch ? "batch" : "upsert", config.writers, config.batch_size,
      static_cast<long long>(all.ok_calls), static_cast<long long>(all.failed),
      static_cast<long long>(all.stale), seconds, all.ok_calls / seconds, all.sessions / seconds,
      PercentileMs(all.latencies_us, 0.50), PercentileMs(all.latencies_us, 0.99));
  std::fflush(stdout);
  if (!all.first_error.empty()) {
    std::fprintf(stderr, "ingest_bench: first error: %s\n", all.first_error.c_str());
  }
  return all.failed == 0 && all.ok_calls > 0;
}

int Run() {
  std::ifstream in(absl::GetFlag(FLAGS_token_file));
  std::string token;
  std::getline(in, token);
  token = std::string(absl::StripAsciiWhitespace(token));
  if (token.empty()) {
    std::fprintf(stderr, "ingest_bench: no token in %s\n", absl::GetFlag(FLAGS_token_file).c_str());
    return 2;
  }
  std::string account = absl::GetFlag(FLAGS_account);
  if (account.empty()) account = IngestAccountId();
  bool ok = true;
  int run_id = 0;
  for (const std::string& w : absl::GetFlag(FLAGS_writers)) {
    RunConfig config;
    config.writers = std::max(1, std::atoi(w.c_str()));
    config.run_id = run_id++;
    ok = RunOne(token, account, config) && ok;
  }
  if (absl::GetFlag(FLAGS_batch_writers) > 0) {
    RunConfig config;
    config.batch = true;
    config.writers = absl::GetFlag(FLAGS_batch_writers);
    config.batch_size = std::max(1, absl::GetFlag(FLAGS_batch_size));
    config.run_id = run_id++;
    ok = RunOne(token, account, config) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace sessions::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Durable ingest throughput (see bench/run.sh)");
  absl::ParseCommandLine(argc, argv);
  return sessions::bench::Run();
}
