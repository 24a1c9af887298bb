#include "gateway/transcode/openapi_document.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gateway/codec/field_plan.h"
#include "gateway/transcode/sse_body.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "rapidjson/document.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"
#include "service/auth/token_codec.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;
using rapidjson::Value;

// The ServiceStack error body (response_status.h) every API error carries.
constexpr char kErrorSchema[] = "ErrorResponse";
// Error answers an API route may give (http_status_map.h), besides 500.
struct ErrorAnswer {
  const char* code;
  const char* description;
};
constexpr ErrorAnswer kErrorAnswers[] = {
    {"400", "Bad request: a field that does not parse or is out of range (named in errors[])"},
    {"401", "No token, or an unknown, expired or revoked one"},
    {"403", "The token lacks the scope, or the data belongs to another tenant or customer"},
    {"429", "Too many requests or streams for this token or server"},
    {"503", "The server is starting, draining or cannot reach its store"},
};

// Builds the document in one pass over the routes. Not thread-safe; one
// builder per document.
class DocumentBuilder {
 public:
  explicit DocumentBuilder(const RouteTable& routes) : routes_(routes) {}

  std::string Render(const OpenApiInfo& info);

 private:
  rapidjson::Document::AllocatorType& alloc() { return doc_.GetAllocator(); }
  Value Str(absl::string_view s) {
    return Value(s.data(), static_cast<unsigned>(s.size()), alloc());
  }
  // Adds `value` under `key` (copied) to `object`.
  void Put(Value& object, absl::string_view key, Value value) {
    object.AddMember(Str(key), value, alloc());
  }
  void Put(Value& object, absl::string_view key, absl::string_view text) {
    Put(object, key, Str(text));
  }
  Value Object() { return Value(rapidjson::kObjectType); }
  Value Array() { return Value(rapidjson::kArrayType); }

  // Schema names: a type's short name, or its full name when two reachable
  // types share the short one.
  void Collect(const pb::Descriptor* type);
  void Collect(const pb::EnumDescriptor* type);
  void NameTypes();
  Value Ref(absl::string_view section, absl::string_view name);
  Value SchemaRef(const pb::Descriptor* type);
  Value SchemaRef(const pb::EnumDescriptor* type);

  Value ValueSchema(const pb::FieldDescriptor* field);
  Value FieldSchema(const pb::FieldDescriptor* field);
  // The object schema of `type` without its fields named in `skip`.
  Value MessageSchema(const pb::Descriptor* type, const std::set<std::string>& skip);
  Value EnumSchema(const pb::EnumDescriptor* type);
  Value Components();

  Value Operation(const Route& route, const std::string& operation_id);
  // The auto-batched form of a batchable route (POST <path>[]).
  Value BatchOperation(const Route& route, const std::string& operation_id);
  Value Parameters(const Route& route, const pb::Descriptor* input,
                   const std::set<std::string>& path_fields);
  Value SuccessResponse(const Route& route, const pb::Descriptor* output);
  // An endpoint outside the route table that takes no token: `tag`, the
  // summary, an operationId from `path`, no security.
  Value TokenlessOperation(const char* tag, const char* path, const char* summary);
  // A 200 answering `content_type` (JSON: an object; otherwise a string).
  Value PlainOkResponse(const char* content_type);
  void AddOperationalPaths(Value& paths);
  void AddServerEventsPaths(Value& paths);

  const RouteTable& routes_;
  rapidjson::Document doc_;
  std::set<const pb::Descriptor*> messages_;
  std::set<const pb::EnumDescriptor*> enums_;
  std::map<const void*, std::string> names_;
};

void DocumentBuilder::Collect(const pb::Descriptor* type) {
  if (type->options().map_entry()) {
    const pb::FieldDescriptor* value = type->map_value();
    if (value->message_type() != nullptr) Collect(value->message_type());
    if (value->enum_type() != nullptr) Collect(value->enum_type());
    return;
  }
  if (!messages_.insert(type).second) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    if (field->message_type() != nullptr) Collect(field->message_type());
    if (field->enum_type() != nullptr) Collect(field->enum_type());
  }
}

void DocumentBuilder::Collect(const pb::EnumDescriptor* type) { enums_.insert(type); }

void DocumentBuilder::NameTypes() {
  std::map<std::string, int> uses;
  for (const pb::Descriptor* m : messages_) ++uses[m->name()];
  for (const pb::EnumDescriptor* e : enums_) ++uses[e->name()];
  ++uses[kErrorSchema];
  for (const pb::Descriptor* m : messages_) {
    names_[m] = uses[m->name()] == 1 ? m->name() : m->full_name();
  }
  for (const pb::EnumDescriptor* e : enums_) {
    names_[e] = uses[e->name()] == 1 ? e->name() : e->full_name();
  }
}

Value DocumentBuilder::Ref(absl::string_view section, absl::string_view name) {
  Value ref = Object();
  Put(ref, "$ref", absl::StrCat("#/components/", section, "/", name));
  return ref;
}

Value DocumentBuilder::SchemaRef(const pb::Descriptor* type) {
  return Ref("schemas", names_.at(type));
}

Value DocumentBuilder::SchemaRef(const pb::EnumDescriptor* type) {
  return Ref("schemas", names_.at(type));
}

// What JsonWriter writes for one value of `field` (json_writer.h).
Value DocumentBuilder::ValueSchema(const pb::FieldDescriptor* field) {
  Value schema = Object();
  auto integer = [&](const char* format, bool unsigned_value) {
    Put(schema, "type", "integer");
    Put(schema, "format", format);
    if (unsigned_value) Put(schema, "minimum", Value(0));
  };
  switch (field->type()) {
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      return SchemaRef(field->message_type());
    case pb::FieldDescriptor::TYPE_ENUM:
      return SchemaRef(field->enum_type());
    case pb::FieldDescriptor::TYPE_STRING:
      Put(schema, "type", "string");
      break;
    case pb::FieldDescriptor::TYPE_BYTES:
      Put(schema, "type", "string");
      Put(schema, "format", "byte");
      break;
    case pb::FieldDescriptor::TYPE_BOOL:
      Put(schema, "type", "boolean");
      break;
    case pb::FieldDescriptor::TYPE_INT32:
    case pb::FieldDescriptor::TYPE_SINT32:
    case pb::FieldDescriptor::TYPE_SFIXED32:
      integer("int32", false);
      break;
    case pb::FieldDescriptor::TYPE_UINT32:
    case pb::FieldDescriptor::TYPE_FIXED32:
      integer("uint32", true);
      break;
    case pb::FieldDescriptor::TYPE_INT64:
    case pb::FieldDescriptor::TYPE_SINT64:
    case pb::FieldDescriptor::TYPE_SFIXED64:
      integer("int64", false);
      break;
    case pb::FieldDescriptor::TYPE_UINT64:
    case pb::FieldDescriptor::TYPE_FIXED64:
      integer("uint64", true);
      break;
    case pb::FieldDescriptor::TYPE_DOUBLE:
      Put(schema, "type", "number");
      Put(schema, "format", "double");
      break;
    case pb::FieldDescriptor::TYPE_FLOAT:
      Put(schema, "type", "number");
      Put(schema, "format", "float");
      break;
  }
  return schema;
}

Value DocumentBuilder::FieldSchema(const pb::FieldDescriptor* field) {
  if (field->is_map()) {
    Value schema = Object();
    Put(schema, "type", "object");
    Put(schema, "additionalProperties", ValueSchema(field->message_type()->map_value()));
    return schema;
  }
  if (field->is_repeated()) {
    Value schema = Object();
    Put(schema, "type", "array");
    Put(schema, "items", ValueSchema(field));
    return schema;
  }
  return ValueSchema(field);
}

Value DocumentBuilder::MessageSchema(const pb::Descriptor* type,
                                     const std::set<std::string>& skip) {
  Value schema = Object();
  Put(schema, "type", "object");
  Put(schema, "title", type->full_name());
  Value properties = Object();
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* field = type->field(i);
    if (skip.count(field->name()) > 0) continue;
    Put(properties, field->json_name(), FieldSchema(field));
  }
  Put(schema, "properties", std::move(properties));
  return schema;
}

Value DocumentBuilder::EnumSchema(const pb::EnumDescriptor* type) {
  Value schema = Object();
  Put(schema, "type", "string");
  Put(schema, "title", type->full_name());
  Value values = Array();
  for (int i = 0; i < type->value_count(); ++i) {
    values.PushBack(Str(CSharpEnumValueName(type->value(i))), alloc());
  }
  Put(schema, "enum", std::move(values));
  return schema;
}

Value DocumentBuilder::Components() {
  Value schemas = Object();
  // Sorted by name, so that the document does not depend on pointer order.
  std::map<std::string, std::pair<const pb::Descriptor*, const pb::EnumDescriptor*>> by_name;
  for (const pb::Descriptor* m : messages_) by_name[names_.at(m)].first = m;
  for (const pb::EnumDescriptor* e : enums_) by_name[names_.at(e)].second = e;
  for (const auto& [name, type] : by_name) {
    Put(schemas, name,
        type.first != nullptr ? MessageSchema(type.first, {}) : EnumSchema(type.second));
  }
  // response_status.h's body.
  Value string_type = Object();
  Put(string_type, "type", "string");
  Value error = Object();
  Put(error, "type", "object");
  Value error_props = Object();
  for (const char* name : {"errorCode", "fieldName", "message"}) {
    Put(error_props, name, Value(string_type, alloc()));
  }
  Put(error, "properties", std::move(error_props));
  Value status = Object();
  Put(status, "type", "object");
  Value status_props = Object();
  Put(status_props, "errorCode", Value(string_type, alloc()));
  Put(status_props, "message", Value(string_type, alloc()));
  Value errors = Object();
  Put(errors, "type", "array");
  Put(errors, "items", std::move(error));
  Put(status_props, "errors", std::move(errors));
  Value meta = Object();
  Put(meta, "type", "object");
  Put(meta, "additionalProperties", Value(string_type, alloc()));
  Put(status_props, "meta", std::move(meta));
  Put(status, "properties", std::move(status_props));
  Value body = Object();
  Put(body, "type", "object");
  Put(body, "title", "ServiceStack ResponseStatus");
  Value body_props = Object();
  Put(body_props, "responseStatus", std::move(status));
  Put(body, "properties", std::move(body_props));
  Put(schemas, kErrorSchema, std::move(body));

  Value responses = Object();
  for (const ErrorAnswer& answer : kErrorAnswers) {
    Value response = Object();
    Put(response, "description", answer.description);
    Value content = Object();
    Value json = Object();
    Put(json, "schema", Ref("schemas", kErrorSchema));
    Put(content, "application/json", std::move(json));
    Put(response, "content", std::move(content));
    Put(responses, answer.code, std::move(response));
  }
  Value bearer = Object();
  Put(bearer, "type", "http");
  Put(bearer, "scheme", "bearer");
  Put(bearer, "description",
      "An API token (`sessionsctl token create`), sent as `Authorization: Bearer <token>`; its "
      "scopes and tenant decide what it may read and write");
  Value schemes = Object();
  Put(schemes, "bearerAuth", std::move(bearer));

  Value components = Object();
  Put(components, "schemas", std::move(schemas));
  Put(components, "responses", std::move(responses));
  Put(components, "securitySchemes", std::move(schemes));
  return components;
}

Value DocumentBuilder::Parameters(const Route& route, const pb::Descriptor* input,
                                  const std::set<std::string>& path_fields) {
  Value parameters = Array();
  for (const std::string& field_path : route.path.VariableFieldPaths()) {
    const pb::Descriptor* type = input;
    const pb::FieldDescriptor* field = nullptr;
    for (absl::string_view part : absl::StrSplit(field_path, '.')) {
      field = type == nullptr ? nullptr : type->FindFieldByName(std::string(part));
      if (field == nullptr) break;
      type = field->message_type();
    }
    Value parameter = Object();
    Put(parameter, "name", field_path);
    Put(parameter, "in", "path");
    Put(parameter, "required", Value(true));
    if (field != nullptr) {
      Put(parameter, "schema", ValueSchema(field));
    } else {
      Value schema = Object();
      Put(schema, "type", "string");
      Put(parameter, "schema", std::move(schema));
    }
    parameters.PushBack(parameter, alloc());
  }
  // google.api.http: with body "*" every other field is in the body; else
  // the fields neither in the path nor the body are query parameters, bound
  // by their JSON names (request_binder.h ignores message and map fields).
  if (route.body_field != "*") {
    for (int i = 0; i < input->field_count(); ++i) {
      const pb::FieldDescriptor* field = input->field(i);
      if (path_fields.count(field->name()) > 0 || field->name() == route.body_field ||
          field->message_type() != nullptr) {
        continue;
      }
      Value parameter = Object();
      Put(parameter, "name", field->json_name());
      Put(parameter, "in", "query");
      Put(parameter, "schema", FieldSchema(field));
      parameters.PushBack(parameter, alloc());
    }
  }
  if (route.stream != nullptr && input->FindFieldByName(kSseResumeField) != nullptr) {
    Value parameter = Object();
    Put(parameter, "name", "Last-Event-ID");
    Put(parameter, "in", "header");
    Put(parameter, "description",
        absl::StrCat("The id of the last event received: resume after that revision (as ",
                     input->FindFieldByName(kSseResumeField)->json_name(),
                     "; EventSource sends it when it reconnects)"));
    Value schema = Object();
    Put(schema, "type", "integer");
    Put(schema, "format", "int64");
    Put(parameter, "schema", std::move(schema));
    parameters.PushBack(parameter, alloc());
  }
  return parameters;
}

Value DocumentBuilder::SuccessResponse(const Route& route, const pb::Descriptor* output) {
  Value response = Object();
  Value content = Object();
  if (route.stream != nullptr) {
    std::vector<std::string> events;
    const pb::FieldDescriptor* type = output->FindFieldByName(kSseTypeField);
    if (type != nullptr && type->enum_type() != nullptr) {
      for (int i = 0; i < type->enum_type()->value_count(); ++i) {
        events.push_back(SseEventName(type->enum_type()->value(i)));
      }
    }
    events.push_back("end");
    Put(response, "description",
        absl::StrCat("Server-Sent Events: each event's data is one ", names_.at(output),
                     " in JSON, its `event:` the message's type (", absl::StrJoin(events, ", "),
                     "), its `id:` the revision (none in the "
                     "snapshot); `end` carries a ResponseStatus when the server ends the stream"));
    Value stream = Object();
    Value schema = Object();
    Put(schema, "type", "string");
    Put(stream, "schema", std::move(schema));
    Put(content, "text/event-stream", std::move(stream));
  } else {
    Put(response, "description",
        absl::StrCat(names_.at(output),
                     " in ServiceStack JSON (or JSV: `Accept: text/jsv`, `?format=jsv`, a `.jsv` "
                     "suffix; CSV, the first list as rows: `text/csv`, `?format=csv`, `.csv`; "
                     "DataContract XML: `application/xml`, `?format=xml`, `.xml`)"));
    Value json = Object();
    Put(json, "schema",
        route.response_field != nullptr ? FieldSchema(route.response_field) : SchemaRef(output));
    Put(content, "application/json", std::move(json));
    for (const char* media : {"text/jsv", "text/csv", "application/xml"}) {
      Value text = Object();
      Value schema = Object();
      Put(schema, "type", "string");
      Put(text, "schema", std::move(schema));
      Put(content, media, std::move(text));
    }
  }
  Put(response, "content", std::move(content));
  return response;
}

Value DocumentBuilder::Operation(const Route& route, const std::string& operation_id) {
  const pb::MethodDescriptor* method =
      route.method != nullptr ? route.method->descriptor : route.stream->descriptor;
  const Scope scope =
      route.method != nullptr ? route.method->required_scope : route.stream->required_scope;
  const pb::Descriptor* input = method->input_type();
  const std::vector<std::string> variables = route.path.VariableFieldPaths();
  std::set<std::string> path_fields;
  for (const std::string& v : variables) path_fields.insert(v.substr(0, v.find('.')));

  Value operation = Object();
  Value tags = Array();
  tags.PushBack(Str(method->service()->name()), alloc());
  Put(operation, "tags", std::move(tags));
  Put(operation, "summary", method->full_name());
  Put(operation, "description",
      absl::StrCat("gRPC ", method->service()->full_name(), "/", method->name(),
                   route.stream != nullptr ? " (server streaming)" : "",
                   ". Requires a bearer token with scope ",
                   auth::FormatScopes(static_cast<uint32_t>(scope)), "."));
  Put(operation, "operationId", operation_id);
  Value parameters = Parameters(route, input, path_fields);
  if (!parameters.Empty()) Put(operation, "parameters", std::move(parameters));
  if (!route.body_field.empty()) {
    Value schema;
    if (route.body_field == "*") {
      schema = path_fields.empty() ? SchemaRef(input) : MessageSchema(input, path_fields);
    } else {
      schema = FieldSchema(input->FindFieldByName(route.body_field));
    }
    Value json = Object();
    Put(json, "schema", std::move(schema));
    Value content = Object();
    Put(content, "application/json", std::move(json));
    Value body = Object();
    Put(body, "required", Value(true));
    Put(body, "content", std::move(content));
    Put(operation, "requestBody", std::move(body));
  }
  Value responses = Object();
  Put(responses, "200", SuccessResponse(route, method->output_type()));
  for (const ErrorAnswer& answer : kErrorAnswers) {
    Put(responses, answer.code, Ref("responses", answer.code));
  }
  Put(operation, "responses", std::move(responses));
  return operation;
}

Value DocumentBuilder::BatchOperation(const Route& route, const std::string& operation_id) {
  Value operation = Operation(route, operation_id);
  auto to_array = [this](Value& schema) {
    Value array = Object();
    Put(array, "type", "array");
    Put(array, "items", std::move(schema));
    schema = std::move(array);
  };
  to_array(operation["requestBody"]["content"]["application/json"]["schema"]);
  Value& ok = operation["responses"]["200"];
  to_array(ok["content"]["application/json"]["schema"]);
  ok["description"] =
      Str("ServiceStack auto-batching: the answers of the requests, in order (each request runs as "
          "if sent alone). The first failure stops the batch and is the answer, its "
          "responseStatus.meta.AutoBatchIndex naming the request");
  Value completed = Object();
  Put(completed, "description", "How many requests of the batch ran to completion");
  Value integer = Object();
  Put(integer, "type", "integer");
  Put(completed, "schema", std::move(integer));
  Value headers = Object();
  Put(headers, "X-AutoBatch-Completed", std::move(completed));
  Put(ok, "headers", std::move(headers));
  return operation;
}

Value DocumentBuilder::TokenlessOperation(const char* tag, const char* path, const char* summary) {
  Value operation = Object();
  Value tags = Array();
  tags.PushBack(Str(tag), alloc());
  Put(operation, "tags", std::move(tags));
  Put(operation, "summary", summary);
  std::string id = absl::StrCat(path + 1);
  for (char& c : id) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  Put(operation, "operationId", id);
  Put(operation, "security", Array());
  return operation;
}

Value DocumentBuilder::PlainOkResponse(const char* content_type) {
  Value schema = Object();
  Put(schema, "type", absl::string_view(content_type) == "application/json" ? "object" : "string");
  Value media = Object();
  Put(media, "schema", std::move(schema));
  Value content = Object();
  Put(content, content_type, std::move(media));
  Value ok = Object();
  Put(ok, "description", "OK");
  Put(ok, "content", std::move(content));
  return ok;
}

// RestDispatcher's endpoints outside the route table: no token.
void DocumentBuilder::AddOperationalPaths(Value& paths) {
  struct Endpoint {
    const char* path;
    const char* summary;
    const char* content_type;
    bool may_be_unavailable;
  };
  constexpr Endpoint kEndpoints[] = {
      {"/healthz", "Liveness: the process answers", "text/plain", false},
      {"/readyz", "Readiness: the store is reachable, the live view caught up, not draining",
       "text/plain", true},
      {"/metrics", "Prometheus metrics (text exposition format)", "text/plain", false},
      {"/openapi.json", "This document", "application/json", false},
      {"/types/typescript",
       "ServiceStack's Add ServiceStack Reference: the DTOs in TypeScript (`npx typescript-ref`)",
       "text/plain", false},
      {"/metadata", "ServiceStack's metadata page: the operations, with links", "text/html", false},
      {"/json/metadata", "An operation's metadata page (`?op=AppGetActiveSessions`)", "text/html",
       false},
      {"/types/csharp",
       "ServiceStack's Add ServiceStack Reference: the DTOs in C# (`npx csharp-ref`)", "text/plain",
       false},
      {"/types/metadata", "ServiceStack's MetadataTypes: the DTOs and operations as JSON",
       "application/json", false},
  };
  for (const Endpoint& e : kEndpoints) {
    Value operation = TokenlessOperation("Operations", e.path, e.summary);
    Value responses = Object();
    Put(responses, "200", PlainOkResponse(e.content_type));
    if (e.may_be_unavailable) {
      Value unavailable = Object();
      Put(unavailable, "description", "Not ready");
      Put(responses, "503", std::move(unavailable));
    }
    Put(operation, "responses", std::move(responses));
    Value item = Object();
    Put(item, "get", std::move(operation));
    Put(paths, e.path, std::move(item));
  }
}

// ServiceStack Server Events (server_events_hub.h): outside the route
// table, their frames are ServiceStack's, not one message per event.
void DocumentBuilder::AddServerEventsPaths(Value& paths) {
  auto string_schema = [this] {
    Value schema = Object();
    Put(schema, "type", "string");
    return schema;
  };
  {
    Value operation = Object();
    Value tags = Array();
    tags.PushBack(Str("ServerEvents"), alloc());
    Put(operation, "tags", std::move(tags));
    Put(operation, "summary", "ServiceStack Server Events: the live view's changes per channel");
    Put(operation, "description",
        "ServiceStack's Server Events protocol (ServerEventsClient of @servicestack/client): "
        "frames `id: N` (counting from 1) and `data: <selector> <json>`. First `cmd.onConnect` "
        "(the subscription's id, heartbeatUrl, unRegisterUrl, heartbeatIntervalMs, "
        "idleTimeoutMs, all strings), then `<channel>@cmd.onJoin` per channel, then each "
        "channel's watch messages as `<channel>@cmd.<Type>` (Snapshot, Synced, Upsert, Remove, "
        "Bookmark) with the WatchActiveSessionsResponse in JSON. Heartbeats are answered with "
        "`cmd.onHeartbeat`; without one for idleTimeoutMs the subscription is closed. A "
        "reconnect is a new subscription, with a new snapshot. Requires a bearer token with "
        "scope sessions:read.");
    Put(operation, "operationId", "event_stream");
    Value parameter = Object();
    Put(parameter, "name", "channels");
    Put(parameter, "in", "query");
    Put(parameter, "description",
        "Comma-separated channels (at most 8), each an account id (its sessions) or "
        "`<account id>/<customer id>` (that customer's subtree); none: the caller's own "
        "account, as channel `*`. `channel` is read too.");
    Put(parameter, "schema", string_schema());
    Value parameters = Array();
    parameters.PushBack(parameter, alloc());
    Put(operation, "parameters", std::move(parameters));
    Value stream = Object();
    Put(stream, "schema", string_schema());
    Value content = Object();
    Put(content, "text/event-stream", std::move(stream));
    Value ok = Object();
    Put(ok, "description", "ServiceStack Server Events frames");
    Put(ok, "content", std::move(content));
    Value responses = Object();
    Put(responses, "200", std::move(ok));
    for (const char* code : {"400", "401", "403", "429", "503"}) {
      Put(responses, code, Ref("responses", code));
    }
    Put(operation, "responses", std::move(responses));
    Value item = Object();
    Put(item, "get", std::move(operation));
    Put(paths, "/event-stream", std::move(item));
  }
  struct Callback {
    const char* path;
    const char* summary;
    const char* content_type;
  };
  constexpr Callback kCallbacks[] = {
      {"/event-heartbeat",
       "A subscription's heartbeat (its heartbeatUrl): keeps it open, answered on the stream "
       "with cmd.onHeartbeat",
       "text/plain"},
      {"/event-unregister", "Ends a subscription (its unRegisterUrl); answers its description",
       "application/json"},
  };
  for (const Callback& callback : kCallbacks) {
    // ServerEventsClient sends no token here: the id is the capability.
    Value operation = TokenlessOperation("ServerEvents", callback.path, callback.summary);
    Value parameter = Object();
    Put(parameter, "name", "id");
    Put(parameter, "in", "query");
    Put(parameter, "required", Value(true));
    Put(parameter, "description", "The subscription's id (from cmd.onConnect)");
    Put(parameter, "schema", string_schema());
    Value parameters = Array();
    parameters.PushBack(parameter, alloc());
    Put(operation, "parameters", std::move(parameters));
    Value missing = Object();
    Put(missing, "description", "No subscription has this id (ended, or never was)");
    Value responses = Object();
    Put(responses, "200", PlainOkResponse(callback.content_type));
    Put(responses, "404", std::move(missing));
    Put(operation, "responses", std::move(responses));
    Value item = Object();
    Put(item, "post", std::move(operation));
    Put(paths, callback.path, std::move(item));
  }
}

std::string DocumentBuilder::Render(const OpenApiInfo& info) {
  for (const Route& route : routes_.routes()) {
    const pb::MethodDescriptor* method =
        route.method != nullptr ? route.method->descriptor : route.stream->descriptor;
    Collect(method->input_type());
    Collect(method->output_type());
  }
  NameTypes();

  doc_.SetObject();
  Put(doc_, "openapi", "3.0.3");
  Value info_object = Object();
  Put(info_object, "title", info.title);
  Put(info_object, "version", info.version);
  Put(info_object, "description",
      "The REST routes of the Active Sessions service, generated from the gRPC API's "
      "google.api.http annotations. Bodies are ServiceStack JSON: camelCase names, empty "
      "strings and unset messages omitted, enums by their C# names, int64 as numbers. Every "
      "route of a unary method also answers JSV (`Accept: text/jsv`, `?format=jsv`, a `.jsv` "
      "suffix), CSV (`text/csv`, `?format=csv`, `.csv`) and DataContract XML "
      "(`application/xml`, `?format=xml`, `.xml`), and its GET answers JSONP for "
      "`?callback=<name>` (letters, digits, `_`, `.`, "
      "`$`).");
  Put(doc_, "info", std::move(info_object));
  Value security = Array();
  Value bearer = Object();
  Put(bearer, "bearerAuth", Array());
  security.PushBack(bearer, alloc());
  Put(doc_, "security", std::move(security));

  Value paths = Object();
  std::map<const pb::MethodDescriptor*, int> routes_of_method;
  for (const Route& route : routes_.routes()) {
    const pb::MethodDescriptor* method =
        route.method != nullptr ? route.method->descriptor : route.stream->descriptor;
    const int ordinal = ++routes_of_method[method];
    const std::string operation_id =
        ordinal == 1 ? method->name() : absl::StrCat(method->name(), "_", ordinal);
    const std::string path = route.path.OpenApiPath();
    if (!paths.HasMember(path.c_str())) Put(paths, path, Object());
    Put(paths[path.c_str()],
        absl::AsciiStrToLower(std::string(boost::beast::http::to_string(route.verb))),
        Operation(route, operation_id));
    if (route.batchable) {
      Value item = Object();
      Put(item, "post", BatchOperation(route, absl::StrCat(operation_id, "_batch")));
      Put(paths, path + "[]", std::move(item));
    }
  }
  AddOperationalPaths(paths);
  if (info.server_events) AddServerEventsPaths(paths);
  Put(doc_, "paths", std::move(paths));
  Put(doc_, "components", Components());

  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  doc_.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace

std::string RenderOpenApiDocument(const RouteTable& routes, const OpenApiInfo& info) {
  return DocumentBuilder(routes).Render(info);
}

}  // namespace sessions::gateway
