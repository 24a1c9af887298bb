#include "gateway/transcode/route_table.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "google/api/annotations.pb.h"

namespace sessions::gateway {

namespace http = boost::beast::http;

ServiceStackOperations DefaultServiceStackOperations() {
  return {{"voice.api.app.portal.v1.PortalService.GetActiveSessions", "AppGetActiveSessions"}};
}

absl::StatusOr<std::unique_ptr<RouteTable>> RouteTable::Build(
    const MethodTable& methods, const ServiceStackOperations& operations) {
  std::unique_ptr<RouteTable> table(new RouteTable());
  table->operations_ = operations;
  for (const StreamEntry* entry : methods.StreamMethods()) {
    if (absl::Status s = table->AddAnnotated({entry->descriptor, nullptr, entry}); !s.ok()) {
      return s;
    }
  }
  for (const MethodEntry* entry : methods.Methods()) {
    const Callee callee{entry->descriptor, entry, nullptr};
    if (absl::Status s = table->AddAnnotated(callee); !s.ok()) return s;
    auto op = operations.find(entry->descriptor->full_name());
    if (op == operations.end()) continue;
    for (const char* prefix : {"/json/reply/", "/api/"}) {
      const std::string path = absl::StrCat(prefix, op->second);
      if (absl::Status s = table->AddRoute(callee, http::verb::get, path, "", ""); !s.ok()) {
        return s;
      }
      if (absl::Status s = table->AddRoute(callee, http::verb::post, path, "*", ""); !s.ok()) {
        return s;
      }
      table->routes_.back().batchable = true;
    }
  }
  // Literal templates first, so "/v1/items:special" beats "/v1/{name}".
  std::stable_sort(
      table->routes_.begin(), table->routes_.end(),
      [](const Route& a, const Route& b) { return a.path.IsLiteral() && !b.path.IsLiteral(); });
  return table;
}

absl::Status RouteTable::AddAnnotated(const Callee& callee) {
  const google::protobuf::MethodOptions& options = callee.descriptor->options();
  if (!options.HasExtension(google::api::http)) return absl::OkStatus();
  const google::api::HttpRule& rule = options.GetExtension(google::api::http);
  RETURN_IF_ERROR(AddRule(callee, rule));
  for (const google::api::HttpRule& extra : rule.additional_bindings()) {
    RETURN_IF_ERROR(AddRule(callee, extra));
  }
  return absl::OkStatus();
}

absl::Status RouteTable::AddRule(const Callee& callee, const google::api::HttpRule& rule) {
  using Rule = google::api::HttpRule;
  switch (rule.pattern_case()) {
    case Rule::kGet:
      return AddRoute(callee, http::verb::get, rule.get(), rule.body(), rule.response_body());
    case Rule::kPut:
      return AddRoute(callee, http::verb::put, rule.put(), rule.body(), rule.response_body());
    case Rule::kPost:
      return AddRoute(callee, http::verb::post, rule.post(), rule.body(), rule.response_body());
    case Rule::kDelete:
      return AddRoute(callee, http::verb::delete_, rule.delete_(), rule.body(),
                      rule.response_body());
    case Rule::kPatch:
      return AddRoute(callee, http::verb::patch, rule.patch(), rule.body(), rule.response_body());
    case Rule::kCustom: {
      const http::verb verb = http::string_to_verb(rule.custom().kind());
      if (verb == http::verb::unknown) {
        return absl::InvalidArgumentError(absl::StrCat(
            callee.descriptor->full_name(), ": unsupported HTTP method ", rule.custom().kind()));
      }
      return AddRoute(callee, verb, rule.custom().path(), rule.body(), rule.response_body());
    }
    case Rule::PATTERN_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

absl::Status RouteTable::AddRoute(const Callee& callee, http::verb verb, absl::string_view path,
                                  absl::string_view body, absl::string_view response_body) {
  const google::protobuf::MethodDescriptor* method = callee.descriptor;
  absl::StatusOr<PathTemplate> parsed = PathTemplate::Parse(path);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": ", parsed.status().message()));
  }
  Route route;
  route.verb = verb;
  route.path = *std::move(parsed);
  route.body_field = std::string(body);
  route.method = callee.method;
  route.stream = callee.stream;
  google::protobuf::MessageFactory* factory = google::protobuf::MessageFactory::generated_factory();
  route.request_prototype = factory->GetPrototype(method->input_type());
  route.response_prototype = factory->GetPrototype(method->output_type());
  if (route.request_prototype == nullptr || route.response_prototype == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": message types are not generated C++ types"));
  }
  if (!body.empty() && body != "*" &&
      method->input_type()->FindFieldByName(std::string(body)) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(method->full_name(), ": body field \"", body, "\" does not exist"));
  }
  if (!response_body.empty()) {
    route.response_field = method->output_type()->FindFieldByName(std::string(response_body));
    if (route.response_field == nullptr || route.response_field->is_repeated() ||
        route.response_field->message_type() == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(method->full_name(), ": response_body \"",
                                                     response_body, "\" is not a message field"));
    }
  }
  std::unique_ptr<FieldIndex>& index = indexes_[method->input_type()];
  if (index == nullptr) index = std::make_unique<FieldIndex>(method->input_type());
  route.fields = index.get();
  routes_.push_back(std::move(route));
  return absl::OkStatus();
}

RouteMatch RouteTable::Find(http::verb verb, const RequestPath& path) const {
  RouteMatch match;
  for (const Route& route : routes_) {
    if (route.verb == verb && route.path.Match(path, &match.bindings)) {
      match.route = &route;
      return match;
    }
  }
  match.bindings.clear();
  match.allowed_methods = AllowedMethods(path);
  return match;
}

std::string RouteTable::AllowedMethods(const RequestPath& path) const {
  std::vector<std::string> verbs;
  for (const Route& route : routes_) {
    if (!route.path.Match(path, nullptr)) continue;
    std::string name(http::to_string(route.verb));
    if (std::find(verbs.begin(), verbs.end(), name) == verbs.end()) verbs.push_back(name);
  }
  if (!verbs.empty()) verbs.push_back("OPTIONS");
  return absl::StrJoin(verbs, ", ");
}

}  // namespace sessions::gateway
