// The gRPC port's limits, against a real in-process server over real
// channels: one connection holds at most max_concurrent_streams calls (the
// next waits in the client, other connections are not affected); a
// connection older than max_connection_age is sent away and its long calls
// end with UNAVAILABLE after the grace period, after which the client
// reconnects by itself; a peer that stops answering is closed by keepalive
// pings; a socket that never speaks HTTP/2 is closed after the handshake
// timeout, a connection without calls after max_connection_idle; limits
// that make no sense refuse to start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
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
#include "voice/api/sessions/v1/ingest.grpc.pb.h"

namespace sessions::testing {
namespace {

namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;

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

// A TCP connection to 127.0.0.1:`port`; its descriptor, or -1.
int ConnectToLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) return fd;
  close(fd);
  return -1;
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
    const int upstream = ConnectToLoopback(upstream_port_);
    if (upstream < 0) {
      close(client);
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

// A TCP connection to the server's gRPC port, driven by hand.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(ConnectToLoopback(port)) {}
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }

  // The client's HTTP/2 connection preface and an empty SETTINGS frame:
  // a client that then makes no call.
  bool SendPreface() {
    static constexpr char kPreface[] =
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
        "\x00\x00\x00\x04\x00\x00\x00\x00\x00";  // length 0, type SETTINGS
    const size_t size = sizeof(kPreface) - 1;
    return write(fd_, kPreface, size) == static_cast<ssize_t>(size);
  }

  // Reads (and drops) what the server sends until it closes the
  // connection: true if it does within `timeout`.
  bool ClosedByServerWithin(absl::Duration timeout) {
    const absl::Time give_up = absl::Now() + timeout;
    char buffer[4096];
    while (absl::Now() < give_up) {
      pollfd fd{fd_, POLLIN, 0};
      if (poll(&fd, 1, 100) <= 0) continue;
      if (read(fd_, buffer, sizeof(buffer)) <= 0) return true;
    }
    return false;
  }

 private:
  const int fd_;  // -1: not connected
};

// Sockets that connect and never speak HTTP/2 are closed after the
// handshake timeout (gRPC's default: two minutes each).
TEST(GrpcLimitsTest, ASocketThatNeverSpeaksIsClosedAfterTheHandshakeTimeout) {
  ServerOptions options;
  options.grpc.handshake_timeout = absl::Milliseconds(500);
  auto server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  RawConnection silent((*server)->server().grpc_port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.ClosedByServerWithin(absl::Seconds(30)));
}

// A connection without calls is sent away after max_connection_idle (and
// then closed), while one carrying a watch stream stays however long it
// is quiet: idleness counts calls, not bytes.
TEST(GrpcLimitsTest, ConnectionsWithoutCallsAreSentAwayAfterMaxIdle) {
  ServerOptions options;
  options.grpc.max_connection_idle = absl::Milliseconds(500);
  options.watch.stream.bookmark_interval = absl::Seconds(30);  // the watch stays quiet
  auto server = TestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string token = (*server)->IssueToken("acct-a", kRead);
  auto stub = portal::PortalService::NewStub(OwnConnection(**server));
  OpenWatch watch = StartWatch(stub.get(), token);

  RawConnection idle((*server)->server().grpc_port());
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(idle.SendPreface());
  EXPECT_TRUE(idle.ClosedByServerWithin(absl::Seconds(30)));

  // Many idle periods later the watch's connection is still there: a new
  // session arrives on the stream.
  const std::string writer = (*server)->IssueToken("acct-a", kWrite);
  auto ingest = v1::SessionIngestService::NewStub((*server)->NewChannel());
  grpc::ClientContext context;
  Authorize(&context, writer);
  v1::UpsertSessionRequest request;
  *request.mutable_session() = testutil::MakeSession("acct-a", "after-idle", 1);
  v1::UpsertSessionResponse response;
  ASSERT_TRUE(ingest->UpsertSession(&context, request, &response).ok());
  portal::WatchActiveSessionsResponse message;
  ASSERT_TRUE(watch.reader->Read(&message)) << watch.reader->Finish().error_message();
  EXPECT_EQ(message.type(), portal::WATCH_EVENT_TYPE_UPSERT);
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
