// The gRPC port's limits, against a real in-process server over real
// channels: one connection holds at most max_concurrent_streams calls (the
// next waits in the client, other connections are not affected); a
// connection older than max_connection_age is sent away and its long calls
// end with UNAVAILABLE after the grace period, after which the client
// reconnects by itself; a peer that stops answering is closed by keepalive
// pings; limits that make no sense refuse to start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "storage/testing/test_util.h"
#include "tests/test_server.h"
#include "voice/api/app/portal/v1/portal.grpc.pb.h"

namespace sessions::testing {
namespace {

namespace portal = ::voice::api::app::portal::v1;

// A channel with a connection of its own (gRPC shares connections between
// channels with equal arguments otherwise).
std::shared_ptr<grpc::Channel> OwnConnection(const TestServer& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server.grpc_target(), grpc::InsecureChannelCredentials(), args);
}

// An open watch stream that has reached its `synced` marker.
struct OpenWatch {
  std::unique_ptr<grpc::ClientContext> context = std::make_unique<grpc::ClientContext>();
  std::unique_ptr<grpc::ClientReader<portal::WatchActiveSessionsResponse>> reader;
};

OpenWatch StartWatch(portal::PortalService::Stub* stub, const std::string& token,
                     std::chrono::seconds deadline = std::chrono::seconds(60)) {
  OpenWatch watch;
  watch.context->AddMetadata("authorization", "Bearer " + token);
  watch.context->set_deadline(std::chrono::system_clock::now() + deadline);
  watch.reader = stub->WatchActiveSessions(watch.context.get(), {});
  portal::WatchActiveSessionsResponse message;
  while (watch.reader->Read(&message)) {
    if (message.type() == portal::WATCH_EVENT_TYPE_SYNCED) return watch;
  }
  ADD_FAILURE() << "the watch ended before it was synced: "
                << watch.reader->Finish().error_message();
  return watch;
}

grpc::Status List(portal::PortalService::Stub* stub, const std::string& token,
                  std::chrono::milliseconds deadline) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  portal::GetActiveSessionsResponse response;
  return stub->GetActiveSessions(&context, {}, &response);
}

TEST(GrpcLimitsTest, OneConnectionHoldsAtMostMaxConcurrentStreams) {
  ServerOptions options;
  options.grpc.max_concurrent_streams = 2;
  auto server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string token = (*server)->IssueToken("acct-a", kRead);
  auto saturated = portal::PortalService::NewStub(OwnConnection(**server));
  std::vector<OpenWatch> watches;
  for (int i = 0; i < 2; ++i) watches.push_back(StartWatch(saturated.get(), token));

  // The third call on that connection waits for a free stream: its
  // deadline passes first.
  EXPECT_EQ(List(saturated.get(), token, std::chrono::milliseconds(1500)).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  // Another connection is not affected.
  auto other = portal::PortalService::NewStub(OwnConnection(**server));
  EXPECT_TRUE(List(other.get(), token, std::chrono::seconds(20)).ok());

  // A stream ends: the waiting call gets through.
  watches.back().context->TryCancel();
  EXPECT_EQ(watches.back().reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(List(saturated.get(), token, std::chrono::seconds(20)).ok());
  for (OpenWatch& watch : watches) watch.context->TryCancel();
}

TEST(GrpcLimitsTest, OldConnectionsAreSentAwayAndTheirLongCallsEndUnavailable) {
  ServerOptions options;
  options.grpc.max_connection_age = absl::Milliseconds(300);
  options.grpc.max_connection_age_grace = absl::Milliseconds(300);
  options.watch.stream.bookmark_interval = absl::Milliseconds(100);
  auto server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string token = (*server)->IssueToken("acct-a", kRead);
  auto stub = portal::PortalService::NewStub(OwnConnection(**server));

  // The stream would run until its 60 s deadline (watches live 30 min);
  // the connection's age ends it first.
  OpenWatch watch = StartWatch(stub.get(), token);
  portal::WatchActiveSessionsResponse message;
  while (watch.reader->Read(&message)) {
  }
  const grpc::Status ended = watch.reader->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE) << ended.error_message();

  // The same channel reconnects for the next call.
  grpc::Status next = List(stub.get(), token, std::chrono::seconds(20));
  for (int attempt = 0; !next.ok() && attempt < 5; ++attempt) {
    // A call that raced the GOAWAY may fail once; gRPC does not retry it.
    next = List(stub.get(), token, std::chrono::seconds(20));
  }
  EXPECT_TRUE(next.ok()) << next.error_message();
}

// A TCP relay between one client and the server that can go silent: when
// frozen it still reads both sides (so TCP stays healthy and the server's
// writes succeed) but forwards nothing, as a peer whose process hangs or
// whose network path drops packets one way would look to the server.
class FreezableRelay {
 public:
  explicit FreezableRelay(int upstream_port) : upstream_port_(upstream_port) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listener_, 1);
    socklen_t len = sizeof(addr);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptOne(); });
  }
  ~FreezableRelay() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    for (int fd : {client_.load(), upstream_.load()}) {
      if (fd >= 0) shutdown(fd, SHUT_RDWR);
    }
    acceptor_.join();
    for (std::thread& pump : pumps_) pump.join();
    for (int fd : {client_.load(), upstream_.load()}) {
      if (fd >= 0) close(fd);
    }
  }

  int port() const { return port_; }
  void Freeze() { frozen_ = true; }
  // Whether the server closed its side of the connection.
  bool UpstreamClosed() const { return upstream_closed_; }

 private:
  void AcceptOne() {
    const int client = accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(client);
      close(upstream);
      return;
    }
    client_ = client;
    upstream_ = upstream;
    pumps_.emplace_back([this, client, upstream] { Pump(client, upstream, nullptr); });
    pumps_.emplace_back([this, client, upstream] { Pump(upstream, client, &upstream_closed_); });
  }

  void Pump(int from, int to, std::atomic<bool>* closed) {
    char buffer[16384];
    while (true) {
      const ssize_t n = read(from, buffer, sizeof(buffer));
      if (n <= 0) break;
      if (!frozen_ && write(to, buffer, static_cast<size_t>(n)) != n) break;
    }
    if (closed != nullptr) *closed = true;
  }

  const int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> client_{-1};
  std::atomic<int> upstream_{-1};
  std::atomic<bool> frozen_{false};
  std::atomic<bool> upstream_closed_{false};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;  // started by acceptor_, joined after it
};

TEST(GrpcLimitsTest, APeerThatStopsAnsweringIsClosedByKeepalive) {
  ServerOptions options;
  options.grpc.keepalive_time = absl::Milliseconds(500);
  options.grpc.keepalive_timeout = absl::Milliseconds(500);
  auto server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string token = (*server)->IssueToken("acct-a", kRead);
  FreezableRelay relay((*server)->server().grpc_port());
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto stub = portal::PortalService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", relay.port()), grpc::InsecureChannelCredentials(), args));
  OpenWatch watch = StartWatch(stub.get(), token);

  relay.Freeze();
  // Bookmarks every 10 s keep the stream busy, but an unanswered ping is
  // what ends it: within a few pings, not after TCP's hours.
  EXPECT_TRUE(testutil::WaitUntil([&] { return relay.UpstreamClosed(); }, absl::Seconds(60)))
      << "the server kept a silent peer's connection for 60 s";
  watch.context->TryCancel();
}

TEST(GrpcLimitsTest, NonsensicalLimitsRefuseToStart) {
  ServerOptions no_streams;
  no_streams.grpc.max_concurrent_streams = 0;
  auto refused = TestServer::Start(no_streams);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("max_concurrent_streams"), std::string::npos);

  ServerOptions no_keepalive;
  no_keepalive.grpc.keepalive_timeout = absl::ZeroDuration();
  refused = TestServer::Start(no_keepalive);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("keepalive_timeout"), std::string::npos);

  ServerOptions tiny_body_budget;
  tiny_body_budget.http.emplace();
  tiny_body_budget.http->server.address = "127.0.0.1:0";
  tiny_body_budget.http->server.max_buffered_body_bytes = 1024;
  refused = TestServer::Start(tiny_body_budget);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("max_buffered_body_bytes"), std::string::npos);
}

}  // namespace
}  // namespace sessions::testing
