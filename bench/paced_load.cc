// paced_load: an open-loop load generator that sends requests at evenly
// spaced instants (request i at start + i / rate), whatever the server's
// answers do, and times each from its intended send instant to its answer.
// So a server that stalls is charged for every request that waited behind
// the stall (no coordinated omission), and the load has no bursts: h2load's
// --rps releases a batch of requests every 100 ms (a 50 % load is then a
// full-speed burst half of the time, and the p99 measures the generator).
//
//   taskset -c 1 paced_load --grpc_target=127.0.0.1:PORT
//       --grpc_method=/voice.api.app.portal.v1.PortalService/GetActiveSessions
//       --token_file=read.token --rate=5000 --duration=10s
//   taskset -c 1 paced_load --http_url=http://127.0.0.1:PORT/portal/active-sessions ...
// prints one line (latencies in ms, of the measured window after --warmup):
//   PACED mode=grpc rate=5000 sent=... ok=... failed=0 achieved_per_s=...
//       p50_ms=... p90_ms=... p99_ms=... p999_ms=... max_ms=... send_lag_p99_ms=...
// `send_lag` is how late the generator itself sent (its own pacing error).
// Exit status 1 if any request failed (an error, a timeout, or an answer
// shorter than --min_response_bytes).
//
// gRPC: an empty request message on --connections channels (one HTTP/2
// connection each, requests round-robin). HTTP/1.1: --connections
// keep-alive connections, one request in flight on each (as browsers and
// most clients do); a request whose instant comes while every connection
// is busy waits for one, and that wait counts in its latency. One thread
// sends and receives (see Transport), so a send never waits for a lock.
//
// Why hand-written: no packaged tool paces exactly and accounts from the
// intended instant (h2load bursts; wrk is closed-loop; wrk2 is not in
// Debian).
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/channel_arguments.h"
#include "service/auth/token_file.h"

ABSL_FLAG(std::string, grpc_target, "", "host:port of the gRPC server (gRPC mode)");
ABSL_FLAG(std::string, grpc_method, "", "gRPC method path, /package.Service/Method");
ABSL_FLAG(std::string, http_url, "", "http://host:port/path (HTTP/1.1 mode, GET)");
ABSL_FLAG(std::string, token_file, "", "File with the bearer token (empty: no authorization)");
ABSL_FLAG(double, rate, 1000, "Requests per second");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10), "Measured time");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "Paced but unmeasured time before it");
ABSL_FLAG(int, connections, 1, "gRPC channels / HTTP connections");
ABSL_FLAG(int64_t, min_response_bytes, 1, "Shorter answers count as failed");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Per request");

namespace sessions::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void SleepUntilNs(int64_t at_ns) {
  timespec ts;
  ts.tv_sec = at_ns / 1000000000;
  ts.tv_nsec = at_ns % 1000000000;
  // steady_clock is CLOCK_MONOTONIC on Linux.
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

// What happened to request i.
struct Outcome {
  int64_t done_ns = 0;
  bool ok = false;
};

// The schedule and the outcomes. Used by the pacer's thread only.
struct Run {
  int64_t start_ns = 0;
  int64_t period_ns = 0;
  int64_t count = 0;
  int64_t measured_from = 0;  // first measured request
  int64_t min_response_bytes = 1;
  std::vector<Outcome> outcomes;
  std::vector<int64_t> send_lag_ns;
  int64_t completed = 0;
  std::string first_error;

  int64_t IntendedNs(int64_t i) const { return start_ns + i * period_ns; }
  void Finish(int64_t i, bool ok, const std::string& error) {
    outcomes[i] = {NowNs(), ok};
    if (!ok && first_error.empty()) first_error = error;
    ++completed;
  }
};

// One thread does everything: it sends each request at its instant and,
// between instants, handles the answers (PollUntil). With the client's
// work on other threads the pacer waited on their locks (gRPC's callback
// API runs transport work inline in whichever thread enters it): send lag
// p99 was 1-28 ms at 2,000-5,000 req/s, with or without real-time priority.
class Transport {
 public:
  virtual ~Transport() = default;
  // Starts request i; returns at once.
  virtual void Send(int64_t i) = 0;
  // Handles the answers that have arrived, first waiting up to `wait_ns`
  // for one if none has.
  virtual void Poll(int64_t wait_ns) = 0;
};

// Handles answers until `until_ns` (steady clock). The transports' waits
// end on epoll's whole milliseconds, too coarse for a period of 200 µs, so
// the last stretch before `until_ns` polls without waiting between short
// sleeps.
void PollUntil(Transport* transport, int64_t until_ns) {
  constexpr int64_t kCoarseNs = 2'000'000;
  constexpr int64_t kNapNs = 20'000;
  while (true) {
    const int64_t left = until_ns - NowNs();
    if (left <= 0) return;
    if (left > kCoarseNs) {
      transport->Poll(left - kCoarseNs);
    } else {
      transport->Poll(0);
      SleepUntilNs(std::min(until_ns, NowNs() + kNapNs));
    }
  }
}

// gRPC through a completion queue polled by the pacer's thread.
class GrpcTransport final : public Transport {
 public:
  GrpcTransport(Run* run, const std::string& target, std::string method, std::string authorization,
                int connections)
      : run_(run), method_(std::move(method)), authorization_(std::move(authorization)) {
    for (int c = 0; c < connections; ++c) {
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection per channel
      args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
      stubs_.push_back(std::make_unique<grpc::GenericStub>(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
    }
  }

  ~GrpcTransport() override {
    queue_.Shutdown();
    void* tag;
    bool ok;
    while (queue_.Next(&tag, &ok)) delete static_cast<Call*>(tag);
  }

  void Send(int64_t i) override {
    auto* call = new Call;
    call->index = i;
    if (!authorization_.empty()) call->context.AddMetadata("authorization", authorization_);
    call->context.set_deadline(std::chrono::system_clock::now() +
                               absl::ToChronoNanoseconds(absl::GetFlag(FLAGS_timeout)));
    grpc::Slice empty;  // an empty request message
    const grpc::ByteBuffer request(&empty, 1);
    call->reader =
        stubs_[i % stubs_.size()]->PrepareUnaryCall(&call->context, method_, request, &queue_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  }

  void Poll(int64_t wait_ns) override {
    auto deadline = std::chrono::system_clock::now() + std::chrono::nanoseconds(wait_ns);
    while (true) {
      void* tag;
      bool ok;
      if (queue_.AsyncNext(&tag, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) return;
      deadline = std::chrono::system_clock::time_point();  // drain the rest, no more waiting
      auto* call = static_cast<Call*>(tag);
      const bool long_enough =
          static_cast<int64_t>(call->response.Length()) >= run_->min_response_bytes;
      run_->Finish(call->index, call->status.ok() && long_enough,
                   call->status.ok() ? "answer shorter than --min_response_bytes"
                                     : absl::StrCat("grpc code ", call->status.error_code(), ": ",
                                                    call->status.error_message()));
      delete call;
    }
  }

 private:
  struct Call {
    int64_t index = 0;
    grpc::ClientContext context;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
    grpc::ByteBuffer response;
    grpc::Status status;
  };
  Run* run_;
  const std::string method_;
  const std::string authorization_;
  grpc::CompletionQueue queue_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
};

// HTTP/1.1 keep-alive connections driven by an io_context that the
// pacer's thread runs; a request waits in a queue for an idle connection.
class HttpTransport final : public Transport {
 public:
  HttpTransport(Run* run, std::string host, std::string port, std::string target,
                const std::string& authorization, int connections)
      : run_(run) {
    namespace http = boost::beast::http;
    request_ = http::request<http::empty_body>(http::verb::get, target, 11);
    request_.set(http::field::host, host + ":" + port);
    if (!authorization.empty()) request_.set(http::field::authorization, authorization);
    request_.keep_alive(true);
    boost::beast::error_code ec;
    endpoints_ = boost::asio::ip::tcp::resolver(io_).resolve(host, port, ec);
    for (int c = 0; c < connections; ++c) {
      connections_.push_back(std::make_unique<Connection>(io_));
      idle_.push_back(connections_.back().get());
    }
  }

  void Send(int64_t i) override {
    waiting_.push_back(i);
    StartWaiting();
  }

  void Poll(int64_t wait_ns) override {
    if (wait_ns > 0) io_.run_one_for(std::chrono::nanoseconds(wait_ns));
    io_.poll();
    io_.restart();  // the context stops whenever it runs out of work
  }

 private:
  struct Connection {
    // Room for a whole answer: Beast reads at most the buffer's free space
    // per call, and a small buffer made it 4x the syscalls.
    explicit Connection(boost::asio::io_context& io) : stream(io) { buffer.reserve(1 << 20); }
    boost::beast::tcp_stream stream;
    bool connected = false;
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> response;
    int64_t index = 0;
  };

  void StartWaiting() {
    while (!waiting_.empty() && !idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      c->index = waiting_.front();
      waiting_.pop_front();
      if (c->connected) {
        Write(c);
        continue;
      }
      c->stream.async_connect(endpoints_, [this, c](boost::beast::error_code ec,
                                                    const boost::asio::ip::tcp::endpoint&) {
        if (ec) return Done(c, ec);
        c->connected = true;
        c->stream.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
        Write(c);
      });
    }
  }

  void Write(Connection* c) {
    boost::beast::http::async_write(
        c->stream, request_, [this, c](boost::beast::error_code ec, size_t) {
          if (ec) return Done(c, ec);
          c->response = {};
          boost::beast::http::async_read(
              c->stream, c->buffer, c->response,
              [this, c](boost::beast::error_code ec, size_t) { Done(c, ec); });
        });
  }

  void Done(Connection* c, boost::beast::error_code ec) {
    const auto& response = c->response;
    const bool ok = !ec && response.result_int() == 200 &&
                    static_cast<int64_t>(response.body().size()) >= run_->min_response_bytes;
    run_->Finish(c->index, ok,
                 ec ? "http: " + ec.message()
                    : absl::StrCat("http status ", response.result_int(), ", ",
                                   response.body().size(), " bytes"));
    if (ec || !response.keep_alive()) {
      boost::beast::error_code ignored;
      c->stream.socket().close(ignored);
      c->connected = false;
      c->buffer.clear();
    }
    idle_.push_back(c);
    StartWaiting();
  }

  Run* run_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
  boost::beast::http::request<boost::beast::http::empty_body> request_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::deque<int64_t> waiting_;
};

double PercentileMs(std::vector<int64_t> values_ns, double p) {
  if (values_ns.empty()) return 0;
  const size_t i = std::min(values_ns.size() - 1, static_cast<size_t>(p * values_ns.size()));
  std::nth_element(values_ns.begin(), values_ns.begin() + i, values_ns.end());
  return values_ns[i] / 1e6;
}

// Splits "http://host:port/path" (no TLS, no user info).
bool ParseUrl(absl::string_view url, std::string* host, std::string* port, std::string* target) {
  if (!absl::ConsumePrefix(&url, "http://")) return false;
  const size_t slash = url.find('/');
  absl::string_view authority = url.substr(0, slash);
  *target = slash == absl::string_view::npos ? "/" : std::string(url.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon == absl::string_view::npos) return false;
  *host = std::string(authority.substr(0, colon));
  *port = std::string(authority.substr(colon + 1));
  return !host->empty() && !port->empty();
}

int RunMain() {
  // Sleeps end within ~1 µs of their deadline instead of the default 50 µs
  // timer slack (a period at 5,000 req/s is 200 µs).
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  std::string authorization;
  if (const std::string file = absl::GetFlag(FLAGS_token_file); !file.empty()) {
    absl::StatusOr<std::string> token = auth::ReadTokenFile(file);
    if (!token.ok()) {
      std::fprintf(stderr, "paced_load: %s\n", std::string(token.status().message()).c_str());
      return 2;
    }
    authorization = "Bearer " + *token;
  }
  const double rate = absl::GetFlag(FLAGS_rate);
  const int connections = std::max(1, absl::GetFlag(FLAGS_connections));
  if (!(rate > 0)) {
    std::fprintf(stderr, "paced_load: --rate must be > 0\n");
    return 2;
  }
  Run run;
  run.period_ns = static_cast<int64_t>(1e9 / rate);
  run.measured_from =
      static_cast<int64_t>(absl::ToDoubleSeconds(absl::GetFlag(FLAGS_warmup)) * rate);
  run.count = run.measured_from +
              static_cast<int64_t>(absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration)) * rate);
  run.min_response_bytes = absl::GetFlag(FLAGS_min_response_bytes);
  run.outcomes.resize(run.count);
  run.send_lag_ns.resize(run.count);

  std::unique_ptr<Transport> transport;
  const char* mode;
  if (const std::string url = absl::GetFlag(FLAGS_http_url); !url.empty()) {
    std::string host, port, target;
    if (!ParseUrl(url, &host, &port, &target)) {
      std::fprintf(stderr, "paced_load: --http_url: expected http://host:port/path\n");
      return 2;
    }
    transport =
        std::make_unique<HttpTransport>(&run, host, port, target, authorization, connections);
    mode = "http";
  } else if (!absl::GetFlag(FLAGS_grpc_target).empty() &&
             !absl::GetFlag(FLAGS_grpc_method).empty()) {
    transport = std::make_unique<GrpcTransport>(&run, absl::GetFlag(FLAGS_grpc_target),
                                                absl::GetFlag(FLAGS_grpc_method), authorization,
                                                connections);
    mode = "grpc";
  } else {
    std::fprintf(stderr, "paced_load: give --http_url, or --grpc_target and --grpc_method\n");
    return 2;
  }

  run.start_ns = NowNs() + 50'000'000;  // the workers and channels settle
  for (int64_t i = 0; i < run.count; ++i) {
    const int64_t at = run.IntendedNs(i);
    PollUntil(transport.get(), at);
    run.send_lag_ns[i] = NowNs() - at;
    transport->Send(i);
  }
  // Every request ends by its timeout; allow that much after the last send.
  const int64_t give_up_ns =
      NowNs() + absl::ToInt64Nanoseconds(absl::GetFlag(FLAGS_timeout) + absl::Seconds(5));
  while (run.completed < run.count && NowNs() < give_up_ns) {
    PollUntil(transport.get(), NowNs() + 1'000'000);
  }
  const int64_t completed = run.completed;
  if (completed < run.count) {
    std::fprintf(stderr, "paced_load: %lld of %lld requests never completed\n",
                 static_cast<long long>(run.count - completed), static_cast<long long>(run.count));
    std::fflush(stderr);
    std::_Exit(1);  // calls in flight still reference `run`
  }
  transport.reset();

  std::vector<int64_t> latencies, lags;
  int64_t ok = 0, failed = 0;
  for (int64_t i = run.measured_from; i < run.count; ++i) {
    const Outcome& o = run.outcomes[i];
    lags.push_back(run.send_lag_ns[i]);
    if (!o.ok) {
      ++failed;
      continue;
    }
    ++ok;
    latencies.push_back(o.done_ns - run.IntendedNs(i));
  }
  const double window_s =
      std::max(1e-9, (run.IntendedNs(run.count) - run.IntendedNs(run.measured_from)) / 1e9);
  std::printf(
      "PACED mode=%s rate=%.0f sent=%lld ok=%lld failed=%lld achieved_per_s=%.0f p50_ms=%.3f "
      "p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f send_lag_p99_ms=%.3f\n",
      mode, rate, static_cast<long long>(run.count - run.measured_from), static_cast<long long>(ok),
      static_cast<long long>(failed), ok / window_s, PercentileMs(latencies, 0.50),
      PercentileMs(latencies, 0.90), PercentileMs(latencies, 0.99), PercentileMs(latencies, 0.999),
      PercentileMs(latencies, 1.0), PercentileMs(lags, 0.99));
  std::fflush(stdout);
  if (failed > 0) {
    std::fprintf(stderr, "paced_load: %lld failed; first: %s\n", static_cast<long long>(failed),
                 run.first_error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sessions::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Evenly paced open-loop load (see bench/run.sh)");
  absl::ParseCommandLine(argc, argv);
  return sessions::bench::RunMain();
}
