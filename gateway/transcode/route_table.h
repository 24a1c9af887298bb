// The immutable routing table of the REST gateway, built once at start-up
// from the `google.api.http` annotations of every method in the
// MethodTable (no per-method code; streaming methods too), plus ServiceStack's predefined routes
// (`/json/reply/<Op>`, `/api/<Op>`; GET and POST with the request DTO as
// body) for methods that have a ServiceStack operation name.
//
// Usage:
//   absl::StatusOr<std::unique_ptr<RouteTable>> routes =
//       RouteTable::Build(method_table, DefaultServiceStackOperations());
//   RouteMatch m = (*routes)->Find(verb, segments);
//
// Thread-safety: immutable after Build(); Find() may run concurrently.
#ifndef GATEWAY_TRANSCODE_ROUTE_TABLE_H_
#define GATEWAY_TRANSCODE_ROUTE_TABLE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "boost/beast/http/verb.hpp"
#include "gateway/codec/field_index.h"
#include "gateway/transcode/path_template.h"
#include "service/method_table.h"

namespace google::api {
class HttpRule;
}  // namespace google::api

namespace sessions::gateway {

// Method full name -> ServiceStack operation (request DTO) name.
using ServiceStackOperations = std::map<std::string, std::string>;

// The operations of the original ServiceStack API: only
// voice.api.app.portal.v1.PortalService.GetActiveSessions ->
// "AppGetActiveSessions".
ServiceStackOperations DefaultServiceStackOperations();

// One HTTP binding of a method.
struct Route {
  boost::beast::http::verb verb = boost::beast::http::verb::get;
  PathTemplate path;
  // "" = no body; "*" = the whole request; else the request field name.
  std::string body_field;
  // Set when the rule's response_body names a message field: only that
  // field of the response is written.
  const google::protobuf::FieldDescriptor* response_field = nullptr;
  // Exactly one is set (not owned; the MethodTable's): a unary method, or a
  // server-streaming one (answered as Server-Sent Events).
  const MethodEntry* method = nullptr;
  const StreamEntry* stream = nullptr;
  const FieldIndex* fields = nullptr;  // of the request type; owned by the table
  // ServiceStack's predefined POST route of an operation: it also takes an
  // auto-batched array of requests at "<path>[]".
  bool batchable = false;
  // Generated-factory prototypes of the input and output types, looked up
  // once here instead of on every request.
  const google::protobuf::Message* request_prototype = nullptr;
  const google::protobuf::Message* response_prototype = nullptr;
};

// The outcome of a lookup.
struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this verb
  std::vector<PathTemplate::Binding> bindings;
  // When route is null but the path matches other verbs: "GET, POST".
  std::string allowed_methods;
};

class RouteTable {
 public:
  // Builds the routes of every method of `methods` (not owned; must outlive
  // the table). Errors: INVALID_ARGUMENT for a malformed annotation (bad
  // template, unknown body field), naming the method.
  static absl::StatusOr<std::unique_ptr<RouteTable>> Build(
      const MethodTable& methods, const ServiceStackOperations& operations);

  // Finds the route of `verb` whose template matches `path`; literal
  // templates win over templates with variables.
  RouteMatch Find(boost::beast::http::verb verb, const RequestPath& path) const;

  // Returns the verbs that `path` matches ("GET, POST"), or "".
  std::string AllowedMethods(const RequestPath& path) const;

  const std::vector<Route>& routes() const { return routes_; }
  // The ServiceStack operations the table was built with.
  const ServiceStackOperations& operations() const { return operations_; }

 private:
  // What a route calls.
  struct Callee {
    const google::protobuf::MethodDescriptor* descriptor;
    const MethodEntry* method;
    const StreamEntry* stream;
  };

  RouteTable() = default;
  absl::Status AddAnnotated(const Callee& callee);
  absl::Status AddRule(const Callee& callee, const google::api::HttpRule& rule);
  absl::Status AddRoute(const Callee& callee, boost::beast::http::verb verb, absl::string_view path,
                        absl::string_view body, absl::string_view response_body);

  std::vector<Route> routes_;
  ServiceStackOperations operations_;
  absl::flat_hash_map<const google::protobuf::Descriptor*, std::unique_ptr<FieldIndex>> indexes_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_ROUTE_TABLE_H_
