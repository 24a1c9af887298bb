#include "gateway/transcode/rest_dispatcher.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/url/parse.hpp"
#include "common/field_error.h"
#include "gateway/codec/json_body_parser.h"
#include "gateway/http/gzip_encoder.h"
#include "gateway/http/http_metadata.h"
#include "gateway/transcode/csharp_reference.h"
#include "gateway/transcode/metadata_pages.h"
#include "gateway/transcode/metadata_types.h"
#include "gateway/transcode/openapi_document.h"
#include "gateway/transcode/request_binder.h"
#include "gateway/transcode/response_body.h"
#include "gateway/transcode/response_status.h"
#include "gateway/transcode/sse_body.h"
#include "gateway/transcode/typescript_reference.h"
#include "spdlog/spdlog.h"

namespace sessions::gateway {

namespace http = boost::beast::http;

// The decoded request target.
struct RestDispatcher::Target {
  RequestPath path;
  QueryParams query;
  std::optional<ResponseFormat> suffix_format;
  std::optional<ResponseFormat> query_format;
  bool batch = false;  // the path ended in "[]": ServiceStack auto-batching
};

// The state of one API call; owned by a shared_ptr until the response is
// handed to the Responder (the handler may complete on another thread).
struct RestDispatcher::Call {
  explicit Call(HttpRequest r) : request(std::move(r)), metadata(&request) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  HttpRequest request;
  HttpMetadata metadata;  // views `request`
  CallContext context;
  std::unique_ptr<google::protobuf::Message> input;
  std::unique_ptr<google::protobuf::Message> output;
  // Set when the method answers with encoded elements (around `output`).
  std::optional<EncodedResponse> encoded;
  const Route* route = nullptr;
  ResponseFormat format = ResponseFormat::kJson;
  // JSONP: the JSON answer is written as `<jsonp_callback>(<json>)`.
  std::string jsonp_callback;
  absl::Time start;
  Responder respond;
  std::thread::id invoking_thread;
  std::atomic<bool> inline_completion{false};
};

// An auto-batched request: its elements run one after another, each as a
// Call of its own; owned by a shared_ptr until the answer is handed over.
struct RestDispatcher::Batch {
  explicit Batch(HttpRequest r) : request(std::move(r)) {}

  HttpRequest request;  // the whole POST
  const Route* route = nullptr;
  std::vector<PathTemplate::Binding> bindings;
  QueryParams query;
  std::vector<std::string> elements;  // each request DTO as JSON
  size_t completed = 0;
  std::string answers = "[";  // the answers so far
  ResponseFormat format = ResponseFormat::kJson;
  absl::Time start;
  Poster post;
  Responder respond;
};

namespace {

// Auto-batching bounds: the number of requests in one batch, and the size
// of the answer (its elements are held until the last one is done).
constexpr size_t kMaxBatchRequests = 100;
constexpr size_t kMaxBatchAnswerBytes = 16 << 20;

// When the path of origin-form `target` ends in "[]" (raw, or
// percent-encoded), sets `*stripped` to the target without it and returns
// true. Boost.URL rejects a raw '[' in a path, and ServiceStack clients send
// it raw. Other targets are not copied.
bool StripBatchSuffix(absl::string_view target, std::string* stripped) {
  const size_t path_end = std::min(target.find('?'), target.size());
  const absl::string_view path = target.substr(0, path_end);
  size_t suffix = 0;
  if (absl::EndsWith(path, "[]")) {
    suffix = 2;
  } else if (absl::EndsWithIgnoreCase(path, "%5B%5D")) {
    suffix = 6;
  }
  if (suffix == 0 || path_end == suffix) return false;
  *stripped = absl::StrCat(path.substr(0, path_end - suffix), target.substr(path_end));
  return true;
}

// A JSONP callback name: what ServiceStack's clients pass, and nothing that
// could be script ("alert(1)//" is not a name).
bool IsJsonpCallback(absl::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '$') return false;
  }
  return true;
}

absl::string_view Header(const HttpRequest& request, http::field field) {
  auto it = request.find(field);
  if (it == request.end()) return {};
  return ToAbsl(it->value());
}

absl::string_view Header(const HttpRequest& request, absl::string_view name) {
  auto it = request.find(ToBeast(name));
  if (it == request.end()) return {};
  return ToAbsl(it->value());
}

// The Host the client reached this server as, for documents that name it;
// anything but host[:port] characters is not echoed ("localhost" instead).
absl::string_view ReachedHost(const HttpRequest& request) {
  const absl::string_view host = Header(request, http::field::host);
  const bool plain =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
      });
  return plain ? host : "localhost";
}

// This server as the client reached it, for URLs it is to call back
// ("http://host:port").
std::string BaseUrl(const HttpRequest& request) {
  const absl::string_view scheme =
      Header(request, "X-Forwarded-Proto") == "https" ? "https" : "http";
  return absl::StrCat(scheme, "://", ReachedHost(request));
}

// The metadata pages: no script at all, their own inline style only.
void SetHtmlHeaders(HttpResponse* response) {
  response->set("Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'");
  response->set("X-Content-Type-Options", "nosniff");
  response->set(http::field::cache_control, "no-cache");
}

// The method as a metric label, from a closed set: the raw method of an
// unauthenticated request must not mint a new series.
absl::string_view MethodLabel(http::verb method) {
  switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::patch:
    case http::verb::options:
      return ToAbsl(http::to_string(method));
    default:
      return "other";
  }
}

HttpResponse PlainResponse(http::status status, absl::string_view content_type, std::string body) {
  HttpResponse response(status, 11);
  response.set(http::field::content_type, ToBeast(content_type));
  response.body() = std::move(body);
  return response;
}

// Parses the origin-form target with Boost.URL (percent-decoding
// segments and parameters; the verb is split off the last segment before
// decoding). Returns false when it is malformed.
bool ParseTarget(absl::string_view raw, RequestPath* path, QueryParams* query) {
  boost::urls::result<boost::urls::url_view> url = boost::urls::parse_origin_form(ToBeast(raw));
  if (!url) return false;
  const boost::urls::segments_encoded_view encoded = url->encoded_segments();
  for (auto it = encoded.begin(); it != encoded.end(); ++it) {
    boost::urls::pct_string_view segment = *it;
    if (std::next(it) == encoded.end()) {
      const size_t colon = segment.find_last_of(':');
      if (colon != boost::urls::pct_string_view::npos) {
        // Splitting encoded text keeps every escape whole ("%3A" has no ':').
        path->verb = boost::urls::make_pct_string_view(segment.substr(colon + 1))->decode();
        segment = *boost::urls::make_pct_string_view(segment.substr(0, colon));
      }
    }
    path->segments.push_back(segment.decode());
  }
  for (boost::urls::param param : url->params()) {
    query->emplace_back(std::move(param.key), std::move(param.value));
  }
  return true;
}

}  // namespace

RestDispatcher::RestDispatcher(const GatewayEnvironment& env, const RouteTable* routes,
                               const std::vector<std::string>& cors_allowed_origins,
                               const std::vector<StaticAsset>& static_assets,
                               const ServerEventsOptions& server_events)
    : env_(env), routes_(routes), cors_(cors_allowed_origins), dtos_(routes->operations()) {
  for (const StaticAsset& asset : static_assets) static_assets_[std::string(asset.path)] = asset;
  for (const Route& route : routes_->routes()) {
    if (route.stream != nullptr &&
        route.stream->descriptor->full_name() == server_events.stream_method) {
      server_events_ =
          std::make_unique<ServerEventsEndpoint>(env_.method_table, &route, server_events);
      break;
    }
  }
  OpenApiInfo info;
  info.server_events = server_events_ != nullptr;
  openapi_json_ = RenderOpenApiDocument(*routes, info);
}

void RestDispatcher::Dispatch(HttpRequest request, Poster post, Responder respond,
                              StreamResponder stream) const {
  const absl::Time start = absl::Now();
  Target target;
  std::string stripped;
  target.batch = StripBatchSuffix(ToAbsl(request.target()), &stripped);
  if (!ParseTarget(target.batch ? stripped : ToAbsl(request.target()), &target.path,
                   &target.query)) {
    HttpError error{400, "BadRequest", "malformed request target"};
    Finish(request, "unmatched", start, ErrorResponse(error, ResponseFormat::kJson), respond);
    return;
  }
  if (!target.batch &&
      (ServeOperational(request, target, respond) || ServeStatic(request, target, respond) ||
       ServeTypes(request, target, respond) || ServeMetadata(request, target, respond) ||
       ServeServerEvents(request, target, respond, stream))) {
    return;
  }
  for (const auto& [key, value] : target.query) {
    if (absl::EqualsIgnoreCase(key, "format")) target.query_format = ParseFormatParam(value);
  }
  if (!target.path.segments.empty() && !target.path.verb.has_value() &&
      routes_->AllowedMethods(target.path).empty()) {
    target.suffix_format = StripFormatSuffix(&target.path.segments.back());
  }
  DispatchApi(std::move(request), std::move(target), std::move(post), std::move(respond),
              std::move(stream));
}

bool RestDispatcher::RefuseUnlessRead(const HttpRequest& request, absl::string_view label,
                                      absl::Time start, const Responder& respond) const {
  if (request.method() == http::verb::get || request.method() == http::verb::head) return false;
  HttpResponse response =
      ErrorResponse({405, "MethodNotAllowed", "method not allowed"}, ResponseFormat::kJson);
  response.set(http::field::allow, "GET, HEAD");
  Finish(request, label, start, std::move(response), respond);
  return true;
}

bool RestDispatcher::ServeOperational(const HttpRequest& request, const Target& target,
                                      const Responder& respond) const {
  if (target.path.segments.size() != 1 || target.path.verb.has_value()) return false;
  const std::string& name = target.path.segments[0];
  if (name != "healthz" && name != "readyz" && name != "metrics" && name != "openapi.json") {
    return false;
  }
  const absl::Time start = absl::Now();
  const std::string label = "/" + name;
  if (RefuseUnlessRead(request, label, start, respond)) return true;
  HttpResponse response;
  if (name == "healthz") {
    response = PlainResponse(http::status::ok, "text/plain; charset=utf-8", "ok\n");
  } else if (name == "readyz") {
    const bool ready = !env_.is_ready || env_.is_ready();
    response = PlainResponse(ready ? http::status::ok : http::status::service_unavailable,
                             "text/plain; charset=utf-8", ready ? "ready\n" : "not ready\n");
  } else if (name == "metrics") {
    response = PlainResponse(http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                             env_.metrics != nullptr ? env_.metrics->RenderText() : "");
  } else {
    response = PlainResponse(http::status::ok, "application/json; charset=utf-8", openapi_json_);
  }
  response.set(http::field::cache_control, "no-store");
  Finish(request, label, start, std::move(response), respond);
  return true;
}

bool RestDispatcher::ServeTypes(const HttpRequest& request, const Target& target,
                                const Responder& respond) const {
  if (target.path.segments.size() != 2 || target.path.verb.has_value() ||
      target.path.segments[0] != "types") {
    return false;
  }
  const std::string& language = target.path.segments[1];
  if (language != "typescript" && language != "csharp" && language != "metadata") return false;
  const absl::Time start = absl::Now();
  const std::string label = "/types/" + language;
  if (RefuseUnlessRead(request, label, start, respond)) return true;
  // The BaseUrl the tool reads back to update the file.
  const std::string base_url = BaseUrl(request);
  HttpResponse response;
  if (language == "metadata") {
    response = PlainResponse(http::status::ok, "application/json; charset=utf-8",
                             RenderMetadataTypes(routes_->operations(), base_url));
  } else {
    response =
        PlainResponse(http::status::ok, "text/plain; charset=utf-8",
                      language == "typescript"
                          ? RenderTypeScriptReference(routes_->operations(), base_url, absl::Now())
                          : RenderCSharpReference(routes_->operations(), base_url, absl::Now()));
  }
  response.set(http::field::cache_control, "no-store");
  Finish(request, label, start, std::move(response), respond);
  return true;
}

bool RestDispatcher::ServeServerEvents(const HttpRequest& request, const Target& target,
                                       const Responder& respond,
                                       const StreamResponder& stream) const {
  if (server_events_ == nullptr || target.path.segments.size() != 1 ||
      target.path.verb.has_value()) {
    return false;
  }
  const std::string& name = target.path.segments[0];
  if (name != "event-stream" && name != "event-heartbeat" && name != "event-unregister") {
    return false;
  }
  const absl::Time start = absl::Now();
  const std::string label = "/" + name;
  if (name == "event-stream") {
    if (RefuseUnlessRead(request, label, start, respond)) return true;
    Subscribe(request, target, respond, stream);
    return true;
  }
  // ServerEventsClient POSTs both; GET works too (ServiceStack takes any).
  if (request.method() != http::verb::post && request.method() != http::verb::get) {
    HttpResponse response =
        ErrorResponse({405, "MethodNotAllowed", "method not allowed"}, ResponseFormat::kJson);
    response.set(http::field::allow, "GET, POST");
    Finish(request, label, start, std::move(response), respond);
    return true;
  }
  std::string id;
  for (const auto& [key, value] : target.query) {
    if (absl::EqualsIgnoreCase(key, "id")) id = value;
  }
  HttpResponse response;
  if (name == "event-heartbeat" && server_events_->Pulse(id)) {
    response = PlainResponse(http::status::ok, "text/plain; charset=utf-8", "");
  } else if (std::optional<std::string> meta;
             name == "event-unregister" && (meta = server_events_->Unregister(id)).has_value()) {
    response = PlainResponse(http::status::ok, "application/json; charset=utf-8", *std::move(meta));
  } else {
    // The id is not echoed: it is a capability.
    response =
        ErrorResponse({404, "NotFound", "no subscription has this id"}, ResponseFormat::kJson);
  }
  response.set(http::field::cache_control, "no-store");
  Finish(request, label, start, std::move(response), respond);
  return true;
}

void RestDispatcher::Subscribe(const HttpRequest& request, const Target& target,
                               const Responder& respond, const StreamResponder& stream) const {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::shared_ptr<BodySource>> body =
      server_events_->Subscribe(request, target.query, BaseUrl(request));
  if (!body.ok()) {
    Finish(request, "/event-stream", start,
           ErrorResponse(HttpErrorFromStatus(body.status()), ResponseFormat::kJson), respond);
    return;
  }
  HttpResponse head(http::status::ok, 11);
  head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  head.set(http::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx and friends: do not buffer
  cors_.Apply(Header(request, http::field::origin), &head);
  if (env_.metrics != nullptr) {
    env_.metrics->RecordHttp("/event-stream", MethodLabel(request.method()), 200,
                             absl::Now() - start);
  }
  stream(std::move(head), *std::move(body));
}

bool RestDispatcher::ServeMetadata(const HttpRequest& request, const Target& target,
                                   const Responder& respond) const {
  const std::vector<std::string>& s = target.path.segments;
  const bool index = s.size() == 1 && s[0] == "metadata";
  const bool page = s.size() == 2 && s[0] == "json" && s[1] == "metadata";
  if ((!index && !page) || target.path.verb.has_value()) return false;
  const absl::Time start = absl::Now();
  const std::string label = index ? "/metadata" : "/json/metadata";
  if (RefuseUnlessRead(request, label, start, respond)) return true;
  std::string op;
  for (const auto& [key, value] : target.query) {
    if (absl::EqualsIgnoreCase(key, "op")) op = value;
  }
  HttpResponse response;
  if (op.empty()) {
    response = PlainResponse(http::status::ok, "text/html; charset=utf-8",
                             RenderMetadataIndex(routes_->operations()));
  } else if (std::optional<std::string> html =
                 RenderOperationPage(routes_->operations(), op, ReachedHost(request));
             html.has_value()) {
    response = PlainResponse(http::status::ok, "text/html; charset=utf-8", *std::move(html));
  } else {
    response = PlainResponse(
        http::status::not_found, "text/html; charset=utf-8",
        absl::StrCat("<!doctype html>\n<title>Not found</title>\n<p>No operation named <code>",
                     HtmlEscape(op), "</code>. See <a href=\"/metadata\">/metadata</a>.</p>\n"));
  }
  SetHtmlHeaders(&response);
  Finish(request, label, start, std::move(response), respond);
  return true;
}

bool RestDispatcher::ServeStatic(const HttpRequest& request, const Target& target,
                                 const Responder& respond) const {
  if (static_assets_.empty() || target.path.verb.has_value()) return false;
  std::string path;
  for (const std::string& segment : target.path.segments) absl::StrAppend(&path, "/", segment);
  auto asset = static_assets_.find(path);
  const bool to_directory = asset == static_assets_.end() && static_assets_.contains(path + "/");
  if (asset == static_assets_.end() && !to_directory) return false;
  const absl::Time start = absl::Now();
  const std::string label = to_directory ? path + "/" : path;
  if (RefuseUnlessRead(request, label, start, respond)) return true;
  HttpResponse response(http::status::permanent_redirect, 11);
  if (to_directory) {
    response.set(http::field::location, ToBeast(label));
  } else {
    const StaticAsset& file = asset->second;
    response = PlainResponse(http::status::ok,
                             absl::string_view(file.content_type.data(), file.content_type.size()),
                             std::string(file.body));
    // Only the page's own files: no inline script or style, no framing, no
    // other origin to load from or send to.
    response.set("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                 "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set(http::field::cache_control, "no-cache");
  }
  Finish(request, label, start, std::move(response), respond);
  return true;
}

void RestDispatcher::DispatchApi(HttpRequest request, Target target, Poster post, Responder respond,
                                 StreamResponder stream) const {
  const absl::Time start = absl::Now();
  ResponseFormat format = NegotiateFormat(target.suffix_format, target.query_format,
                                          Header(request, http::field::accept));
  // A batch answers an array: JSON unless JSV was asked for.
  if (target.batch && (format == ResponseFormat::kCsv || format == ResponseFormat::kXml)) {
    format = ResponseFormat::kJson;
  }
  if (CorsPolicy::IsPreflight(request)) {
    const std::string allowed = routes_->AllowedMethods(target.path);
    HttpResponse response(http::status::no_content, 11);
    if (allowed.empty()) {
      response = ErrorResponse({404, "NotFound", "no route for this path"}, format);
    } else {
      cors_.Preflight(Header(request, http::field::origin), allowed, &response);
    }
    Finish(request, "preflight", start, std::move(response), respond);
    return;
  }
  // HEAD runs the GET (RFC 9110 §9.3.2); the connection drops the content.
  const http::verb verb = request.method() == http::verb::head ? http::verb::get : request.method();
  RouteMatch match = routes_->Find(verb, target.path);
  if (match.route == nullptr) {
    const bool known = !match.allowed_methods.empty();
    HttpResponse response =
        ErrorResponse(known ? HttpError{405, "MethodNotAllowed", "method not allowed on this route"}
                            : HttpError{404, "NotFound", "no route for this path"},
                      format);
    if (known) response.set(http::field::allow, match.allowed_methods);
    Finish(request, "unmatched", start, std::move(response), respond);
    return;
  }
  if (target.batch) {
    auto batch = std::make_shared<Batch>(std::move(request));
    batch->route = match.route;
    batch->bindings = std::move(match.bindings);
    batch->query = std::move(target.query);
    batch->format = format;
    batch->start = start;
    batch->post = std::move(post);
    batch->respond = std::move(respond);
    return DispatchBatch(std::move(batch));
  }
  auto call = std::make_shared<Call>(std::move(request));
  call->route = match.route;
  call->format = format;
  call->start = start;
  call->respond = std::move(respond);
  call->context.transport = Transport::kHttp;
  call->context.metadata = &call->metadata;
  call->input.reset(match.route->request_prototype->New());
  call->output.reset(match.route->response_prototype->New());
  // JSONP (?callback=name) for a GET of a unary method answering JSON.
  for (const auto& [key, value] : target.query) {
    if (!absl::EqualsIgnoreCase(key, "callback") || value.empty() || verb != http::verb::get ||
        match.route->method == nullptr || format != ResponseFormat::kJson) {
      continue;
    }
    if (!IsJsonpCallback(value)) {
      Complete(*call, FieldError("callback",
                                 "expected a function name of letters, digits, '_', '.' and '$' "
                                 "(at most 128)"));
      return;
    }
    call->jsonp_callback = value;
  }
  absl::Status bound = BindRequest(*match.route, match.bindings, target.query, call->request.body(),
                                   call->input.get());
  if (!bound.ok()) {
    Complete(*call, bound);
    return;
  }
  if (match.route->stream != nullptr) return DispatchStream(std::move(call), std::move(stream));
  // A handler that completes inside Invoke() on this thread is finished
  // inline; any other completion hops back to the connection's strand, so
  // that `this` is only used while the gateway runs.
  call->invoking_thread = std::this_thread::get_id();
  call->inline_completion = true;
  auto done = [this, call, post = std::move(post)](absl::Status status) {
    if (call->inline_completion.load() && std::this_thread::get_id() == call->invoking_thread) {
      Complete(*call, status);
      return;
    }
    post([this, call, status = std::move(status)] { Complete(*call, status); });
  };
  InvokeUnary(*call, std::move(done));
  call->inline_completion = false;
}

void RestDispatcher::InvokeUnary(Call& call, DoneCallback done) const {
  const MethodEntry& method = *call.route->method;
  // An answer with encoded elements is written from their cached renderings;
  // a route that answers with one field of the response cannot splice them.
  if (method.encoded && call.route->response_field == nullptr) {
    call.encoded.emplace();
    call.encoded->message = call.output.get();
    env_.method_table->InvokeEncoded(method, &call.context, *call.input, &*call.encoded,
                                     std::move(done));
  } else {
    env_.method_table->Invoke(method, &call.context, *call.input, call.output.get(),
                              std::move(done));
  }
}

absl::Status RestDispatcher::WriteAnswer(const Call& call, std::string* body) const {
  if (call.encoded.has_value()) {
    return WriteEncodedResponseBody(*call.encoded, call.format, body,
                                    dtos_.NameOf(call.encoded->message->GetDescriptor()));
  }
  const google::protobuf::Message* out = call.output.get();
  if (call.route->response_field != nullptr) {
    out = &out->GetReflection()->GetMessage(*out, call.route->response_field);
  }
  WriteResponseBody(*out, call.format, body, dtos_.NameOf(out->GetDescriptor()));
  return absl::OkStatus();
}

// ServiceStack auto-batching (docs.servicestack.net/auto-batched-requests):
// the requests run one at a time, in order, each through the method table
// as if sent alone (authenticated and authorised on its own); the answer is
// the array of their answers and X-AutoBatch-Completed their count. The
// first failure stops the batch: its error is the answer, with
// responseStatus.meta.AutoBatchIndex naming the request and
// X-AutoBatch-Completed counting those that ran before it.
void RestDispatcher::DispatchBatch(std::shared_ptr<Batch> batch) const {
  const Route& route = *batch->route;
  const std::string label = absl::StrCat(route.path.text(), "[]");
  if (!route.batchable) {
    HttpError error{404, "NotFound", "this route takes no batch of requests"};
    Finish(batch->request, label, batch->start, ErrorResponse(error, batch->format),
           batch->respond);
    return;
  }
  absl::StatusOr<std::vector<std::string>> elements =
      SplitJsonArray(ToAbsl(batch->request.body()), kMaxBatchRequests);
  if (!elements.ok()) {
    Finish(batch->request, label, batch->start,
           ErrorResponse(HttpErrorFromStatus(elements.status()), batch->format), batch->respond);
    return;
  }
  batch->elements = *std::move(elements);
  // Each element's call copies the request's headers: not the whole body.
  std::string().swap(batch->request.body());
  RunBatchElement(std::move(batch));
}

void RestDispatcher::RunBatchElement(std::shared_ptr<Batch> batch) const {
  const std::string label = absl::StrCat(batch->route->path.text(), "[]");
  if (batch->completed == batch->elements.size()) {
    batch->answers.push_back(']');
    HttpResponse response(http::status::ok, 11);
    response.set(http::field::content_type, ToBeast(ContentTypeOf(batch->format)));
    response.set("X-AutoBatch-Completed", std::to_string(batch->completed));
    response.body() = std::move(batch->answers);
    Finish(batch->request, label, batch->start, std::move(response), batch->respond);
    return;
  }
  HttpRequest single = batch->request;
  single.body() = std::move(batch->elements[batch->completed]);
  auto call = std::make_shared<Call>(std::move(single));
  call->route = batch->route;
  call->format = batch->format;
  call->start = absl::Now();
  call->context.transport = Transport::kHttp;
  call->context.metadata = &call->metadata;
  call->input.reset(call->route->request_prototype->New());
  call->output.reset(call->route->response_prototype->New());
  // Every completion hops to the connection's strand: the next element
  // then starts on a fresh stack, however many complete inline.
  auto next = [this, batch, call](absl::Status status) {
    if (status.ok()) {
      std::string answer;
      status = WriteAnswer(*call, &answer);
      if (status.ok() && batch->answers.size() + answer.size() > kMaxBatchAnswerBytes) {
        status = absl::ResourceExhaustedError(absl::StrCat("the batch's answers exceed ",
                                                           kMaxBatchAnswerBytes >> 20,
                                                           " MiB: send fewer requests per batch"));
      }
      if (status.ok()) {
        if (batch->completed > 0) batch->answers.push_back(',');
        batch->answers += answer;
        ++batch->completed;
        return RunBatchElement(batch);
      }
    }
    HttpError error = HttpErrorFromStatus(status);
    error.meta.emplace_back("AutoBatchIndex", std::to_string(batch->completed));
    HttpResponse response = ErrorResponse(error, batch->format);
    response.set("X-AutoBatch-Completed", std::to_string(batch->completed));
    Finish(batch->request, absl::StrCat(batch->route->path.text(), "[]"), batch->start,
           std::move(response), batch->respond);
  };
  absl::Status bound = BindRequest(*call->route, batch->bindings, batch->query,
                                   call->request.body(), call->input.get());
  if (!bound.ok()) return next(bound);
  InvokeUnary(*call, [post = batch->post, next](absl::Status status) {
    post([next, status = std::move(status)] { next(status); });
  });
}

void RestDispatcher::DispatchStream(std::shared_ptr<Call> call, StreamResponder stream) const {
  // A browser's EventSource reconnects with the last `id:` it got: resume
  // there (it wins over a start_revision in the query, which is older).
  const absl::string_view last_event_id = Header(call->request, "Last-Event-ID");
  const google::protobuf::FieldDescriptor* start =
      call->input->GetDescriptor()->FindFieldByName(kSseResumeField);
  int64_t revision = 0;
  if (!last_event_id.empty() && start != nullptr &&
      start->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    if (!absl::SimpleAtoi(last_event_id, &revision) || revision < 0) {
      return Complete(*call, absl::InvalidArgumentError(
                                 "Last-Event-ID: expected the revision of a previous event"));
    }
    call->input->GetReflection()->SetInt64(call->input.get(), start, revision);
  }
  absl::StatusOr<std::shared_ptr<EventStream>> events =
      env_.method_table->OpenStream(*call->route->stream, &call->context, *call->input);
  if (!events.ok()) return Complete(*call, events.status());
  HttpResponse head(http::status::ok, 11);
  head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  head.set(http::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx and friends: do not buffer
  cors_.Apply(Header(call->request, http::field::origin), &head);
  if (env_.metrics != nullptr) {
    env_.metrics->RecordHttp(call->route->path.text(), MethodLabel(call->request.method()), 200,
                             absl::Now() - call->start);
  }
  const MethodTable* table = env_.method_table;
  auto body = std::make_shared<SseBody>(*std::move(events), *call->route->response_prototype,
                                        env_.sse_retry, [table, call](const absl::Status& status) {
                                          table->StreamDone(*call->route->stream, call->context,
                                                            status, absl::Now() - call->start);
                                        });
  stream(std::move(head), std::move(body));
}

void RestDispatcher::Complete(Call& call, absl::Status status) const {
  HttpResponse response;
  if (status.ok()) {
    response = HttpResponse(http::status::ok, 11);
    response.set(http::field::content_type, ToBeast(ContentTypeOf(call.format)));
    status = WriteAnswer(call, &response.body());
  }
  if (!status.ok()) {
    const HttpError error = HttpErrorFromStatus(status);
    if (error.http_status >= 500) {
      spdlog::warn("http {} {}: {}", call.request.method_string(), call.route->path.text(),
                   status.ToString());
    }
    response = ErrorResponse(error, call.format);
  }
  if (!call.jsonp_callback.empty()) {
    response.body() = absl::StrCat(call.jsonp_callback, "(", response.body(), ")");
    response.set(http::field::content_type, "application/javascript; charset=utf-8");
    response.set("X-Content-Type-Options", "nosniff");
  }
  Finish(call.request, call.route->path.text(), call.start, std::move(response), call.respond);
}

HttpResponse RestDispatcher::ErrorResponse(const HttpError& error, ResponseFormat format) const {
  // A ResponseStatus is no table: CSV requests get their errors in JSON.
  if (format == ResponseFormat::kCsv) format = ResponseFormat::kJson;
  HttpResponse response;
  response.version(11);
  response.result(static_cast<unsigned>(error.http_status));
  if (error.http_status == 499) response.reason("Client Closed Request");
  response.set(http::field::content_type, ToBeast(ContentTypeOf(format)));
  if (error.http_status == 401) response.set(http::field::www_authenticate, "Bearer");
  response.body() = RenderResponseStatus(error, format);
  return response;
}

HttpResponse RestDispatcher::TransportError(int http_status, absl::string_view error_code,
                                            absl::string_view message) const {
  HttpError error{http_status, std::string(error_code), std::string(message)};
  HttpResponse response = ErrorResponse(error, ResponseFormat::kJson);
  if (env_.metrics != nullptr) {
    env_.metrics->RecordHttp("unparsed", "-", http_status, absl::ZeroDuration());
  }
  return response;
}

void RestDispatcher::Finish(const HttpRequest& request, absl::string_view route_label,
                            absl::Time start, HttpResponse response,
                            const Responder& respond) const {
  cors_.Apply(Header(request, http::field::origin), &response);
  if (response.body().size() > kGzipMinBytes) {
    AddVary("Accept-Encoding", &response);
    if (AcceptsGzip(Header(request, http::field::accept_encoding))) {
      absl::StatusOr<std::string> gz = GzipCompress(response.body());
      if (gz.ok()) {
        response.body() = *std::move(gz);
        response.set(http::field::content_encoding, "gzip");
      }
    }
  }
  if (env_.metrics != nullptr) {
    env_.metrics->RecordHttp(route_label, MethodLabel(request.method()), response.result_int(),
                             absl::Now() - start);
  }
  respond(std::move(response));
}

}  // namespace sessions::gateway
