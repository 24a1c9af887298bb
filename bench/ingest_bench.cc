// ingest_bench: durable session writes per second against a running server
// (issue 5). W writers each keep one write in flight (gRPC callback client:
// one process keeps 64 in flight on one core), and an OK reply means the
// write is on disk (the store's group commit shares one fsync among the
// writes pending together). Two kinds of load:
//   --mix=realistic (default): what a telephony platform sends
//     (session_lifecycle.h): new sessions, upserts that change their state,
//     log appends, member joins and leaves, ends, in the proportions of a
//     call's life, ids never reused; upserts carry the whole session.
//   --mix=upsert: every write a whole-session UpsertSession (~2 KB, see
//     storage/sample/session_factory.h) with a fresh date_last_modified,
//     cycling through --sessions_per_writer ids (the issue-5 scenario).
// A secondary line does the upsert load with BatchUpsertSessions.
//
//   taskset -c 1 ingest_bench --target=127.0.0.1:PORT --token_file=write.token
//       --writers=1,8,64 --duration=5s
// prints one line per configuration (`seconds` is the measured time):
//   INGEST mode=mix writers=64 batch=1 ok=... failed=0 stale=0 seconds=5.00
//       calls_per_s=... updates_per_s=... p50_ms=... p99_ms=...
// Exit status 1 if any call failed or nothing succeeded.
//
// With --calls_per_writer=N a run is a fixed amount of work instead of a
// time window: every writer makes exactly N calls, all of them counted, and
// the run waits (at most --max_wait) for the last one. Tests use this, so
// that a slow machine takes longer instead of completing nothing.
//
// The client is kept cheap so that the CPU it shares with the server goes to
// the server. The realistic mix serializes each request (a few µs, against
// the server's ~300 µs per durable write). The upsert load serializes each session once, at start
// (upsert_template.h); a call renders those bytes into one slice and sends them through a
// grpc::GenericStub, so no message is built or serialized per call. The
// requests carry exactly the sessions the protobuf-built requests did
// (checked at start: see CheckRenderedRequest). Each writer reuses one call
// object, since it never has more than one call in flight. The channel has
// no retry filter or channelz, and absl's Mutex deadlock detection is off.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/session_lifecycle.h"
#include "bench/upsert_template.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/slice.h"
#include "service/auth/token_file.h"
#include "storage/sample/session_factory.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server gRPC address");
ABSL_FLAG(std::string, token_file, "write.token", "File with a sessions:write token");
ABSL_FLAG(std::string, account, "", "Account to write (default: gen_data's ingest account)");
ABSL_FLAG(std::vector<std::string>, writers, std::vector<std::string>({"1", "8", "64"}),
          "Concurrent writers per run");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "Measured time per run");
ABSL_FLAG(absl::Duration, warmup, absl::Milliseconds(500), "Unmeasured time before each run");
ABSL_FLAG(int64_t, calls_per_writer, 0,
          "If > 0: each writer makes exactly this many calls (no warmup, no time window)");
ABSL_FLAG(absl::Duration, max_wait, absl::Minutes(5),
          "With --calls_per_writer: how long a run may take before ingest_bench gives up");
ABSL_FLAG(int, batch_writers, 8, "Writers of the BatchUpsertSessions run (0: skip it)");
ABSL_FLAG(int, batch_size, 100, "Sessions per BatchUpsertSessions call");
ABSL_FLAG(int, sessions_per_writer, 256,
          "--mix=upsert: distinct session ids each writer cycles through");
ABSL_FLAG(std::string, mix, "realistic", "realistic (session lifecycles) or upsert");
ABSL_FLAG(int, active_per_writer, 16,
          "--mix=realistic: sessions each writer keeps open (their stages interleave)");

namespace sessions::bench {

using ::sessions::sample::BaseTime;
using ::sessions::sample::FillSession;
using ::sessions::sample::IngestAccountId;
namespace {

namespace v1 = ::voice::api::sessions::v1;

struct RunConfig {
  bool batch = false;
  bool mix = false;  // the realistic mix (else whole-session upserts)
  int writers = 1;
  int batch_size = 1;
  int run_id = 0;
  int64_t calls_per_writer = 0;  // 0: as many as fit in the time window
};

struct Totals {
  int64_t ok_calls = 0;
  int64_t sessions = 0;  // applied + stale, in OK calls
  int64_t stale = 0;
  int64_t failed = 0;
  std::string first_error;
  std::vector<int32_t> latencies_us;  // OK calls in the measured window
};

// Decodes a unary response; false if it does not parse (the generated stub
// reports that as a failed call).
bool ParseResponse(const grpc::ByteBuffer& buffer, google::protobuf::MessageLite* message) {
  grpc::Slice slice;
  if (!buffer.TrySingleSlice(&slice).ok() && !buffer.DumpToSingleSlice(&slice).ok()) return false;
  return message->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
}

// One writer: a chain of calls, each started from the previous one's
// completion (on a gRPC thread), until the deadline. One call at a time, so
// one Call object is reused.
class Writer {
 public:
  Writer(grpc::GenericStub* stub, const std::string& method, const std::string& authorization,
         const std::string& account, const RunConfig& config, int index, absl::Time measure_from,
         absl::Time deadline, std::atomic<int>* in_callbacks, std::function<void()> on_finished)
      : stub_(stub),
        method_(method),
        authorization_(authorization),
        config_(config),
        measure_from_(measure_from),
        deadline_(deadline),
        in_callbacks_(in_callbacks),
        on_finished_(std::move(on_finished)) {
    if (config.mix) {
      // Unique to this process too: ids never repeat across ingest_bench runs.
      static const int64_t process_start_ms = absl::ToUnixMillis(absl::Now());
      lifecycle_.emplace(account,
                         absl::StrFormat("mix-%d-%d-%03d", process_start_ms, config.run_id, index),
                         absl::GetFlag(FLAGS_active_per_writer),
                         /*seed=*/int64_t{index} * 1000000);
      return;
    }
    const int pool = std::max(1, absl::GetFlag(FLAGS_sessions_per_writer));
    templates_.reserve(pool);
    v1::SessionInfo session;
    for (int k = 0; k < pool; ++k) {
      const int64_t seed = static_cast<int64_t>(index) * pool + k;
      FillSession(account, absl::StrFormat("ing-%d-%03d-%06d", config.run_id, index, k), seed,
                  BaseTime() + absl::Seconds(k), /*ended=*/false, &session);
      templates_.push_back(MakeTemplate(&session));
    }
  }

  void Start() { Issue(); }
  // When the writer's last call completed.
  absl::Time finished_at() const { return finished_at_; }
  const Totals& totals() const { return totals_; }

 private:
  struct Call {
    std::optional<grpc::ClientContext> context;  // one per call: not reusable
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    absl::Time start;
  };

  void Issue() {
    Call& call = call_;
    call.context.emplace();
    call.context->AddMetadata(kAuthorizationKey, authorization_);
    call.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    call.start = absl::Now();
    ++issued_;
    if (lifecycle_.has_value()) {
      lifecycle_->Next(call.start, &write_);
      grpc::Slice slice(write_.request);
      grpc::ByteBuffer request(&slice, 1);
      call.request.Swap(&request);
      call.response.Clear();
      write_method_ = write_.method;
      stub_->UnaryCall(&*call.context, write_method_, grpc::StubOptions(), &call.request,
                       &call.response,
                       [this](grpc::Status status) { OnComplete(std::move(status)); });
      return;
    }
    // Sessions next_, next_ + 1, ... of the pool, numbered next_ + 1, ...
    const int count = config_.batch ? config_.batch_size : 1;
    size_t size = 0;
    for (int i = 0; i < count; ++i) {
      size += templates_[(next_ + i) % templates_.size()].bytes.size();
    }
    grpc::Slice slice(size);
    char* out = reinterpret_cast<char*>(const_cast<uint8_t*>(slice.begin()));
    const char* date = clock_.Format(call.start);
    for (int i = 0; i < count; ++i) {
      const SessionTemplate& t = templates_[next_++ % templates_.size()];
      out = Render(t, date, next_, out);
    }
    grpc::ByteBuffer request(&slice, 1);
    call.request.Swap(&request);
    call.response.Clear();
    stub_->UnaryCall(&*call.context, method_, grpc::StubOptions(), &call.request, &call.response,
                     [this](grpc::Status status) { OnComplete(std::move(status)); });
  }

  void OnComplete(grpc::Status status) {
    in_callbacks_->fetch_add(1);
    int sessions = 0;
    int stale = 0;
    if (status.ok()) {
      bool parsed = true;
      const bool upsert = !lifecycle_.has_value() || write_.kind == WriteKind::kNewSession ||
                          write_.kind == WriteKind::kStateChange;
      if (!upsert) {
        sessions = 1;  // a log, member or end write: never stale
      } else if (config_.batch) {
        parsed = ParseResponse(call_.response, &batch_response_);
        sessions = batch_response_.applied_count() + batch_response_.stale_count();
        stale = batch_response_.stale_count();
      } else {
        parsed = ParseResponse(call_.response, &single_response_);
        sessions = 1;
        stale = single_response_.applied() ? 0 : 1;
      }
      if (!parsed) status = grpc::Status(grpc::StatusCode::INTERNAL, "Failed to parse response");
    }
    Done(call_.start, status, sessions, stale);  // may start the next call on call_
    in_callbacks_->fetch_sub(1);                 // last touch of this run's state
  }

  void Done(absl::Time start, const grpc::Status& status, int sessions, int stale) {
    const absl::Time end = absl::Now();
    const bool measured = start >= measure_from_ && end <= deadline_;
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
      totals_.latencies_us.push_back(static_cast<int32_t>(absl::ToInt64Microseconds(end - start)));
    }
    const bool more = config_.calls_per_writer == 0 || issued_ < config_.calls_per_writer;
    if (end < deadline_ && status.ok() && more) {
      Issue();
    } else {
      call_.context.reset();  // the call is over: release it here, as Issue() does
      finished_at_ = end;
      on_finished_();
    }
  }

  static constexpr char kAuthorizationKey[] = "authorization";

  grpc::GenericStub* stub_;
  const std::string& method_;
  const std::string& authorization_;  // "Bearer <token>"
  const RunConfig config_;
  const absl::Time measure_from_;
  const absl::Time deadline_;
  std::atomic<int>* in_callbacks_;  // not owned
  std::function<void()> on_finished_;
  std::vector<SessionTemplate> templates_;     // --mix=upsert
  std::optional<SessionLifecycle> lifecycle_;  // --mix=realistic
  LifecycleWrite write_;                       // the lifecycle's write in flight
  std::string write_method_;
  int64_t next_ = 0;
  int64_t issued_ = 0;
  absl::Time finished_at_;
  IsoClock clock_;
  Call call_;
  v1::UpsertSessionResponse single_response_;
  v1::BatchUpsertSessionsResponse batch_response_;
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
bool RunOne(const std::string& authorization, const std::string& account, const RunConfig& config) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a fresh connection per run
  // Less client work per call, same requests on the wire: no retry filter
  // (no retry policy is configured anyway) and no channelz bookkeeping.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetInt(GRPC_ARG_ENABLE_CHANNELZ, 0);
  auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                           grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  // The upsert loads' method (the realistic mix names one per write).
  const std::string method = absl::StrCat("/", v1::SessionIngestService::service_full_name(),
                                          config.batch ? "/BatchUpsertSessions" : "/UpsertSession");
  // A fixed amount of work is measured whole; a time window after a warmup.
  const bool fixed = config.calls_per_writer > 0;
  const absl::Time start = absl::Now();
  const absl::Time measure_from = fixed ? start : start + absl::GetFlag(FLAGS_warmup);
  const absl::Time deadline =
      fixed ? absl::InfiniteFuture() : measure_from + absl::GetFlag(FLAGS_duration);
  const absl::Time give_up =
      fixed ? start + absl::GetFlag(FLAGS_max_wait) : deadline + absl::Seconds(60);
  absl::Mutex mu;
  int running = config.writers;
  // Completion callbacks still executing; the run's state may be destroyed
  // only when every writer has finished and this is back to 0.
  std::atomic<int> in_callbacks{0};
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < config.writers; ++w) {
    writers.push_back(std::make_unique<Writer>(&stub, method, authorization, account, config, w,
                                               measure_from, deadline, &in_callbacks,
                                               [&mu, &running] {
                                                 absl::MutexLock lock(&mu);
                                                 --running;
                                               }));
  }
  for (auto& writer : writers) writer->Start();
  {
    absl::MutexLock lock(&mu);
    auto all_done = [&running] { return running == 0; };
    mu.AwaitWithDeadline(absl::Condition(&all_done), give_up);
    if (running != 0) {
      std::fprintf(stderr, "ingest_bench: %d writers still running after %s\n", running,
                   absl::FormatDuration(give_up - start).c_str());
      std::fflush(stderr);
      std::_Exit(1);  // calls in flight still reference the writers
    }
  }
  while (in_callbacks.load() != 0) absl::SleepFor(absl::Milliseconds(1));
  Totals all;
  absl::Time last_finish = start;
  for (const auto& writer : writers) {
    last_finish = std::max(last_finish, writer->finished_at());
    const Totals& t = writer->totals();
    all.ok_calls += t.ok_calls;
    all.sessions += t.sessions;
    all.stale += t.stale;
    all.failed += t.failed;
    if (all.first_error.empty()) all.first_error = t.first_error;
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
  }
  const double seconds = std::max(
      1e-6, absl::ToDoubleSeconds(fixed ? last_finish - start : absl::GetFlag(FLAGS_duration)));
  std::printf(
      "INGEST mode=%s writers=%d batch=%d ok=%lld failed=%lld stale=%lld seconds=%.2f "
      "calls_per_s=%.0f updates_per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n",
      config.batch ? "batch" : (config.mix ? "mix" : "upsert"), config.writers, config.batch_size,
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
  // absl built without NDEBUG checks every Mutex (gRPC's too) for lock-order
  // cycles: client CPU the server could use.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const absl::StatusOr<std::string> token = auth::ReadTokenFile(absl::GetFlag(FLAGS_token_file));
  if (!token.ok()) {
    std::fprintf(stderr, "ingest_bench: %s\n", std::string(token.status().message()).c_str());
    return 2;
  }
  std::string account = absl::GetFlag(FLAGS_account);
  if (account.empty()) account = IngestAccountId();
  CheckRenderedRequest(account);
  const std::string authorization = "Bearer " + *token;
  const std::string mix_flag = absl::GetFlag(FLAGS_mix);
  if (mix_flag != "realistic" && mix_flag != "upsert") {
    std::fprintf(stderr, "ingest_bench: --mix must be realistic or upsert\n");
    return 2;
  }
  const bool mix = mix_flag == "realistic";
  bool ok = true;
  int run_id = 0;
  for (const std::string& w : absl::GetFlag(FLAGS_writers)) {
    RunConfig config;
    config.writers = std::max(1, std::atoi(w.c_str()));
    config.mix = mix;
    config.run_id = run_id++;
    config.calls_per_writer = absl::GetFlag(FLAGS_calls_per_writer);
    ok = RunOne(authorization, account, config) && ok;
  }
  if (absl::GetFlag(FLAGS_batch_writers) > 0) {
    RunConfig config;
    config.batch = true;
    config.writers = absl::GetFlag(FLAGS_batch_writers);
    config.batch_size = std::max(1, absl::GetFlag(FLAGS_batch_size));
    config.run_id = run_id++;
    config.calls_per_writer = absl::GetFlag(FLAGS_calls_per_writer);
    ok = RunOne(authorization, account, config) && ok;
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
