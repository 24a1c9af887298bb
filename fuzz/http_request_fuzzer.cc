// The HTTP request path end to end, minus the socket: the input is one raw
// HTTP/1.1 request (request line, headers, query, body) read by beast's
// parser with the server's limits (HttpConnection's), then handed to the
// RestDispatcher with the real routes of every API method (PortalService,
// SessionIngestService, their ServiceStack routes) over a MethodTable whose
// handlers answer from memory. Every request that parses gets exactly one
// response, with a status the protocol allows, and never a crash or
// sanitizer finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

#include "boost/asio/buffer.hpp"
#include "boost/beast/http.hpp"
#include "gateway/http/http_types.h"
#include "gateway/testing/fake_authenticator.h"
#include "gateway/transcode/rest_dispatcher.h"
#include "gateway/transcode/route_table.h"
#include "service/method_table.h"
#include "voice/api/app/portal/v1/portal.pb.h"
#include "voice/api/sessions/v1/ingest.pb.h"

namespace {

namespace http = boost::beast::http;
namespace portal = ::voice::api::app::portal::v1;
namespace v1 = ::voice::api::sessions::v1;
using sessions::CallContext;
using sessions::Scope;

const google::protobuf::MethodDescriptor* Method(const google::protobuf::FileDescriptor* file,
                                                 const char* service, const char* method) {
  const google::protobuf::MethodDescriptor* found =
      file->FindServiceByName(service)->FindMethodByName(method);
  if (found == nullptr) std::abort();
  return found;
}

struct Gateway {
  sessions::gateway::FakeAuthenticator auth;
  sessions::MethodTable table{&auth, /*observer=*/nullptr};
  std::unique_ptr<sessions::gateway::RouteTable> routes;
  std::unique_ptr<sessions::gateway::RestDispatcher> dispatcher;

  Gateway() {
    const auto* portal_file = portal::GetActiveSessionsRequest::descriptor()->file();
    table.Register<portal::GetActiveSessionsRequest, portal::GetActiveSessionsResponse>(
        Method(portal_file, "PortalService", "GetActiveSessions"), Scope::kSessionsRead,
        [](const CallContext&, const portal::GetActiveSessionsRequest& request,
           portal::GetActiveSessionsResponse* response) {
          auto* session = response->add_sessions();
          session->set_id("s1");
          session->set_account_id(request.account_id());
          session->set_customer_id(request.customer_id());
          session->set_display_name("a \"quoted\" \x01 name");
          return absl::OkStatus();
        });
    const auto* ingest_file = v1::UpsertSessionRequest::descriptor()->file();
    table.Register<v1::UpsertSessionRequest, v1::UpsertSessionResponse>(
        Method(ingest_file, "SessionIngestService", "UpsertSession"), Scope::kSessionsWrite,
        [](const CallContext&, const v1::UpsertSessionRequest&, v1::UpsertSessionResponse* r) {
          r->set_applied(true);
          return absl::OkStatus();
        });
    table.Register<v1::EndSessionRequest, v1::EndSessionResponse>(
        Method(ingest_file, "SessionIngestService", "EndSession"), Scope::kSessionsWrite,
        [](const CallContext&, const v1::EndSessionRequest& request, v1::EndSessionResponse*) {
          return request.session_id().empty() ? absl::InvalidArgumentError("session_id: required")
                                              : absl::OkStatus();
        });
    auto built = sessions::gateway::RouteTable::Build(
        table, sessions::gateway::DefaultServiceStackOperations());
    if (!built.ok()) std::abort();
    routes = *std::move(built);
    sessions::gateway::GatewayEnvironment env;
    env.method_table = &table;
    env.is_ready = [] { return true; };
    dispatcher = std::make_unique<sessions::gateway::RestDispatcher>(
        env, routes.get(), std::vector<std::string>{"https://ops.example.com"},
        std::vector<sessions::gateway::StaticAsset>{{"/ui/", "text/html", "<p>ui</p>"}});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Gateway* const gateway = new Gateway();
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);  // HttpServerOptions' defaults
  parser.body_limit(4 * 1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t offset = 0;
  while (offset < size && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
    if (ec == http::error::need_more) break;
    if (ec) return 0;  // a malformed request: the connection answers 400 itself
    if (used == 0) break;
    offset += used;
  }
  if (!parser.is_done()) {
    if (!parser.got_some()) return 0;  // nothing parsed (put_eof requires some)
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return 0;
  }
  int responses = 0;
  gateway->dispatcher->Dispatch(
      parser.release(), [](std::function<void()> task) { task(); },
      [&responses](sessions::gateway::HttpResponse response) {
        ++responses;
        if (response.result_int() < 200 || response.result_int() > 599) std::abort();
      },
      [&responses](sessions::gateway::HttpResponse,
                   std::shared_ptr<sessions::gateway::BodySource>) { ++responses; });
  if (responses != 1) std::abort();
  return 0;
}
