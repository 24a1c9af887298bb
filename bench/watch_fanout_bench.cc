// watch_fanout_bench: WatchActiveSessions fan-out against a running
// sessions_server (the production binary, its logging).
//
//   watch_fanout_bench --target=127.0.0.1:50051 --read_token_file=r --write_token_file=w
//       --watchers=1000 --rate=50 --seconds=10 --server_pid=1234
//
// 1. Ingest throughput, closed loop (`--writers` concurrent UpsertSession
//    callers for `--throughput_seconds`), with no watcher attached.
// 2. Opens `--watchers` gRPC watches (callback API), waits until all are
//    synced.
// 3. The same throughput run with every watcher attached (and reading);
//    then a fence write, awaited at every watcher, so that the next phase
//    does not time the backlog of this one.
// 4. One writer at `--rate` writes/s for `--seconds`: for every write, the
//    latency from sending it to its acknowledgement, and from sending it to
//    its delivery at every watcher; server CPU (from /proc) per delivered
//    event.
// With `--sse_target`, the watches are Server-Sent Events streams (GET
// /portal/active-sessions/watch on the REST port) instead of gRPC ones.
// Prints one `key=value` line per phase. Session ids are never reused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/grpcpp.h"
#include "service/auth/token_file.h"
#include "storage/sample/session_factory.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server gRPC address (the writes)");
ABSL_FLAG(std::string, watch_target, "",
          "Server gRPC address of the watches (another replica on the same database); empty: "
          "--target");
ABSL_FLAG(std::string, read_token_file, "", "A sessions:read token of the ingest account");
ABSL_FLAG(std::string, write_token_file, "", "A sessions:write token of the ingest account");
ABSL_FLAG(int, watchers, 100, "Watches to attach");
ABSL_FLAG(std::string, sse_target, "",
          "127.0.0.1:PORT of the REST port: the watches are Server-Sent Events streams there "
          "(empty: gRPC watches)");
ABSL_FLAG(int, channels, 8, "gRPC channels the watches spread over");
ABSL_FLAG(int, writers, 8, "Concurrent writers of the throughput phases");
ABSL_FLAG(double, throughput_seconds, 5, "Length of each throughput phase");
ABSL_FLAG(double, rate, 50, "Writes per second of the latency phase");
ABSL_FLAG(double, seconds, 10, "Length of the latency phase");
ABSL_FLAG(int, server_pid, 0, "Server process, for its CPU time (0: not measured)");
ABSL_FLAG(std::string, run_id, "", "Prefix of session ids (unique per run)");

namespace sessions::bench {
namespace {

namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;
using Clock = std::chrono::steady_clock;

std::string ReadToken(const std::string& path) {
  absl::StatusOr<std::string> token = auth::ReadTokenFile(path);
  if (!token.ok()) {
    std::fprintf(stderr, "watch_fanout_bench: %s\n", std::string(token.status().message()).c_str());
    std::exit(2);
  }
  return *std::move(token);
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// utime + stime of `pid` in seconds (0 when unknown).
double CpuSeconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Percentiles {
  double p50_ms = 0, p99_ms = 0;
  size_t count = 0;
};

Percentiles Summarize(std::vector<int64_t> ns) {
  Percentiles p;
  p.count = ns.size();
  if (ns.empty()) return p;
  std::sort(ns.begin(), ns.end());
  p.p50_ms = static_cast<double>(ns[ns.size() / 2]) / 1e6;
  p.p99_ms = static_cast<double>(ns[std::min(ns.size() - 1, ns.size() * 99 / 100)]) / 1e6;
  return p;
}

// Send times of the latency phase's writes, by index (0: not sent yet).
class SendTimes {
 public:
  explicit SendTimes(size_t n) : times_(n) {}
  void Set(size_t i, int64_t ns) { times_[i].store(ns, std::memory_order_release); }
  int64_t Get(size_t i) const { return times_[i].load(std::memory_order_acquire); }
  size_t size() const { return times_.size(); }

 private:
  std::vector<std::atomic<int64_t>> times_;
};

// One watch, whatever its transport: counts upserts and records the
// delivery latency of the latency phase's writes (found by id prefix).
class FanoutWatcher {
 public:
  virtual ~FanoutWatcher() = default;
  // Ends the stream; afterwards events() and latencies() are final.
  virtual void Stop() = 0;
  int64_t events() const { return events_.load(std::memory_order_relaxed); }
  const std::vector<int64_t>& latencies() const { return latencies_; }
  // Whether the session FenceId(prefix) has arrived.
  bool fenced() const { return fenced_.load(std::memory_order_acquire); }
  // Not a latency write's id (no index after the prefix).
  static std::string FenceId(const std::string& prefix) { return prefix + "fence"; }

 protected:
  FanoutWatcher(const std::string& prefix, const SendTimes* sends)
      : prefix_(prefix), fence_(FenceId(prefix)), sends_(sends) {}

  // An upsert of session `id` arrived at `now`. One thread at a time.
  void OnUpsert(absl::string_view id, int64_t now) {
    events_.fetch_add(1, std::memory_order_relaxed);
    if (id == fence_) fenced_.store(true, std::memory_order_release);
    size_t index;
    if (absl::ConsumePrefix(&id, prefix_) && absl::SimpleAtoi(id, &index) &&
        index < sends_->size()) {
      if (const int64_t sent = sends_->Get(index); sent != 0) latencies_.push_back(now - sent);
    }
  }

 private:
  const std::string prefix_;
  const std::string fence_;
  const SendTimes* sends_;
  std::atomic<int64_t> events_{0};  // upserts received
  std::atomic<bool> fenced_{false};
  std::vector<int64_t> latencies_;  // OnUpsert's thread only; read after Stop()
};

// A gRPC watch (callback API).
class Watcher final : public FanoutWatcher,
                      public grpc::ClientReadReactor<portal::WatchActiveSessionsResponse> {
 public:
  Watcher(portal::PortalService::Stub* stub, const std::string& token, const std::string& prefix,
          const SendTimes* sends, std::atomic<int>* synced)
      : FanoutWatcher(prefix, sends), synced_(synced) {
    context_.AddMetadata("authorization", "Bearer " + token);
    stub->async()->WatchActiveSessions(&context_, &request_, this);
    StartRead(&message_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    const int64_t now = NowNs();
    if (message_.type() == portal::WATCH_EVENT_TYPE_SYNCED) synced_->fetch_add(1);
    if (message_.type() == portal::WATCH_EVENT_TYPE_UPSERT)
      OnUpsert(message_.sessions(0).id(), now);
    StartRead(&message_);
  }

  void OnDone(const grpc::Status&) override { done_.Notify(); }

  void Stop() override {
    context_.TryCancel();
    done_.WaitForNotification();
  }

 private:
  grpc::ClientContext context_;
  portal::WatchActiveSessionsRequest request_;
  portal::WatchActiveSessionsResponse message_;
  std::atomic<int>* synced_;
  absl::Notification done_;
};

// A Server-Sent Events watch on a thread of its own: GET
// /portal/active-sessions/watch over HTTP/1.0, so the body is the bare
// event stream (no chunk framing to parse), read as a browser would.
class SseWatcher final : public FanoutWatcher {
 public:
  SseWatcher(const std::string& host, int port, const std::string& token, const std::string& prefix,
             const SendTimes* sends, std::atomic<int>* synced)
      : FanoutWatcher(prefix, sends), fd_(socket(AF_INET, SOCK_STREAM, 0)), synced_(synced) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
    const std::string request = absl::StrCat(
        "GET /portal/active-sessions/watch HTTP/1.0\r\nAccept: text/event-stream\r\n"
        "Authorization: Bearer ",
        token, "\r\n\r\n");
    if (write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size())) return;
    reader_ = std::thread([this] { Read(); });
  }
  ~SseWatcher() override { Stop(); }

  void Stop() override {
    shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  void Read() {
    static constexpr absl::string_view kId = "\"id\":\"";
    std::string pending;  // an incomplete last line
    std::string event;    // of the event being read
    char buffer[65536];
    while (true) {
      const ssize_t n = read(fd_, buffer, sizeof(buffer));
      if (n <= 0) return;
      const int64_t now = NowNs();
      pending.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
        absl::string_view line(pending.data() + start, end - start);
        if (absl::ConsumePrefix(&line, "event: ")) {
          event = std::string(absl::StripSuffix(line, "\r"));
          if (event == "synced" && !synced_once_) {
            synced_once_ = true;
            synced_->fetch_add(1);
          }
        } else if (event == "upsert" && absl::ConsumePrefix(&line, "data: ")) {
          // The session's own "id" is the last one before its dateCreated
          // (breadcrumb entries have ids too, earlier).
          const size_t created = line.find("\"dateCreated\":");
          const size_t at = line.rfind(kId, created);
          if (created == absl::string_view::npos || at == absl::string_view::npos) continue;
          line.remove_prefix(at + kId.size());
          OnUpsert(line.substr(0, line.find('"')), now);
        }
      }
      pending.erase(0, start);
    }
  }

  int fd_;
  std::atomic<int>* synced_;
  bool synced_once_ = false;  // reader_ only
  std::thread reader_;
};

// A realistic session (members, log, breadcrumb), new id, the token's account.
v1::UpsertSessionRequest Upsert(const std::string& id, int64_t n) {
  v1::UpsertSessionRequest request;
  sample::FillSession(sample::IngestAccountId(), id, n, absl::Now(), /*ended=*/false,
                      request.mutable_session());
  request.mutable_session()->clear_date_last_modified();  // the server's clock
  return request;
}

// Closed-loop writes for `seconds`; returns writes/s.
double Throughput(v1::SessionIngestService::Stub* stub, const std::string& token,
                  const std::string& prefix, int writers, double seconds) {
  std::atomic<int64_t> next{0}, done{0}, failed{0};
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      while (Clock::now() < end) {
        const int64_t n = next.fetch_add(1);
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + token);
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        v1::UpsertSessionResponse response;
        const grpc::Status status =
            stub->UpsertSession(&context, Upsert(absl::StrCat(prefix, n), n), &response);
        (status.ok() ? done : failed).fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed > 0) std::fprintf(stderr, "%lld writes failed\n", static_cast<long long>(failed));
  return static_cast<double>(done) / elapsed;
}

int Main() {
  const std::string read_token = ReadToken(absl::GetFlag(FLAGS_read_token_file));
  const std::string write_token = ReadToken(absl::GetFlag(FLAGS_write_token_file));
  const std::string run =
      absl::GetFlag(FLAGS_run_id).empty() ? absl::StrCat(NowNs()) : absl::GetFlag(FLAGS_run_id);
  const std::string watch_target = absl::GetFlag(FLAGS_watch_target).empty()
                                       ? absl::GetFlag(FLAGS_target)
                                       : absl::GetFlag(FLAGS_watch_target);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_channels)); ++i) {
    grpc::ChannelArguments args;
    args.SetInt("fanout_channel", i);  // distinct channels, not one shared subchannel
    channels.push_back(
        grpc::CreateCustomChannel(watch_target, grpc::InsecureChannelCredentials(), args));
  }
  auto ingest = v1::SessionIngestService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
  const int writers = absl::GetFlag(FLAGS_writers);
  const double tp_seconds = absl::GetFlag(FLAGS_throughput_seconds);

  const double alone =
      Throughput(ingest.get(), write_token, absl::StrCat("fan-", run, "-a-"), writers, tp_seconds);
  std::printf("phase=throughput watchers=0 writes_per_s=%.1f\n", alone);

  const int rate_writes =
      static_cast<int>(absl::GetFlag(FLAGS_rate) * absl::GetFlag(FLAGS_seconds));
  SendTimes sends(static_cast<size_t>(std::max(1, rate_writes)));
  const std::string latency_prefix = absl::StrCat("fan-", run, "-l-");
  std::vector<std::unique_ptr<portal::PortalService::Stub>> stubs;
  for (const auto& channel : channels) stubs.push_back(portal::PortalService::NewStub(channel));
  std::atomic<int> synced{0};
  std::vector<std::unique_ptr<FanoutWatcher>> watchers;
  const int n = absl::GetFlag(FLAGS_watchers);
  const std::string sse_target = absl::GetFlag(FLAGS_sse_target);
  const size_t colon = sse_target.rfind(':');
  int sse_port = 0;
  if (!sse_target.empty() &&
      (colon == std::string::npos || !absl::SimpleAtoi(sse_target.substr(colon + 1), &sse_port))) {
    std::fprintf(stderr, "--sse_target: expected HOST:PORT\n");
    return 2;
  }
  for (int i = 0; i < n; ++i) {
    if (sse_port != 0) {
      watchers.push_back(std::make_unique<SseWatcher>(sse_target.substr(0, colon), sse_port,
                                                      read_token, latency_prefix, &sends, &synced));
    } else {
      watchers.push_back(std::make_unique<Watcher>(stubs[i % stubs.size()].get(), read_token,
                                                   latency_prefix, &sends, &synced));
    }
  }
  const auto sync_deadline = Clock::now() + std::chrono::minutes(5);
  while (synced.load() < n && Clock::now() < sync_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (synced.load() < n) {
    std::fprintf(stderr, "only %d of %d watches synced\n", synced.load(), n);
    return 1;
  }

  const double attached =
      Throughput(ingest.get(), write_token, absl::StrCat("fan-", run, "-b-"), writers, tp_seconds);
  std::printf("phase=throughput watchers=%d writes_per_s=%.1f ratio_vs_none=%.3f\n", n, attached,
              attached / alone);
  {
    // Every watcher has delivered that phase's writes once it has the fence.
    const auto fence_start = Clock::now();
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + write_token);
    v1::UpsertSessionResponse response;
    if (!ingest
             ->UpsertSession(&context, Upsert(FanoutWatcher::FenceId(latency_prefix), 0), &response)
             .ok()) {
      std::fprintf(stderr, "the fence write failed\n");
      return 1;
    }
    auto all_fenced = [&] {
      return std::all_of(watchers.begin(), watchers.end(),
                         [](const auto& w) { return w->fenced(); });
    };
    while (!all_fenced() && Clock::now() < fence_start + std::chrono::minutes(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!all_fenced()) {
      std::fprintf(stderr, "the watchers did not catch up within 5 minutes\n");
      return 1;
    }
    std::printf("phase=drain watchers=%d seconds=%.2f\n", n,
                std::chrono::duration<double>(Clock::now() - fence_start).count());
  }

  // The latency phase: evenly paced writes from one writer thread.
  const int server_pid = absl::GetFlag(FLAGS_server_pid);
  int64_t events_before = 0;
  for (const auto& w : watchers) events_before += w->events();
  const double cpu_before = CpuSeconds(server_pid);
  std::vector<int64_t> acks;
  const auto interval = std::chrono::duration<double>(1.0 / absl::GetFlag(FLAGS_rate));
  const auto start = Clock::now();
  for (int i = 0; i < rate_writes; ++i) {
    std::this_thread::sleep_until(start +
                                  std::chrono::duration_cast<Clock::duration>(interval * i));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + write_token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::UpsertSessionResponse response;
    const int64_t sent = NowNs();
    sends.Set(static_cast<size_t>(i), sent);
    const grpc::Status status =
        ingest->UpsertSession(&context, Upsert(absl::StrCat(latency_prefix, i), i), &response);
    if (status.ok()) acks.push_back(NowNs() - sent);
  }
  // Deliveries of the last writes may still be in flight.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const double cpu = CpuSeconds(server_pid) - cpu_before;
  std::vector<int64_t> deliveries;
  int64_t events = -events_before;
  for (auto& w : watchers) {
    w->Stop();
    events += w->events();
    deliveries.insert(deliveries.end(), w->latencies().begin(), w->latencies().end());
  }
  const Percentiles ack = Summarize(acks);
  const Percentiles delivery = Summarize(deliveries);
  const size_t expected = static_cast<size_t>(rate_writes) * static_cast<size_t>(n);
  std::printf(
      "phase=latency transport=%s watchers=%d writes=%zu ack_p50_ms=%.2f ack_p99_ms=%.2f "
      "delivery_p50_ms=%.2f delivery_p99_ms=%.2f delivered=%zu/%zu "
      "delivery_p99_over_ack_p99=%.2f server_cpu_us_per_event=%.1f\n",
      sse_port != 0 ? "sse" : "grpc", n, ack.count, ack.p50_ms, ack.p99_ms, delivery.p50_ms,
      delivery.p99_ms, delivery.count, expected, ack.p99_ms > 0 ? delivery.p99_ms / ack.p99_ms : 0,
      server_pid > 0 && events > 0 ? cpu * 1e6 / static_cast<double>(events) : 0);
  return delivery.count == expected ? 0 : 1;
}

}  // namespace
}  // namespace sessions::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sessions::bench::Main();
}
