#include "gateway/transcode/metadata_pages.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gateway/http/content_negotiation.h"
#include "gateway/transcode/csharp_reference.h"
#include "gateway/transcode/response_body.h"
#include "gateway/transcode/servicestack_dtos.h"
#include "google/protobuf/message.h"

namespace sessions::gateway {
namespace {

namespace pb = google::protobuf;

// Nested messages deeper than this stay empty in samples (recursive types).
constexpr int kMaxSampleDepth = 4;

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#18181b}"
    "h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:1.5rem}"
    "pre{background:#f4f4f5;padding:.75rem;overflow:auto}"
    "table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left;"
    "border-bottom:1px solid #d4d4d8}";

std::string Page(absl::string_view title, absl::string_view body) {
  return absl::StrCat("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
                      "<title>", HtmlEscape(title), "</title>\n<style>", kStyle,
                      "</style>\n</head>\n<body>\n", body, "</body>\n</html>\n");
}

// Fills `msg` with placeholder values, as ServiceStack's samples show them.
void FillSample(pb::Message* msg, int depth) {
  const pb::Reflection* r = msg->GetReflection();
  const pb::Descriptor* type = msg->GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const pb::FieldDescriptor* f = type->field(i);
    if (f->is_map()) {
      pb::Message* entry = r->AddMessage(msg, f);
      FillSample(entry, depth + 1);
      continue;
    }
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        if (f->type() == pb::FieldDescriptor::TYPE_BYTES) break;
        f->is_repeated() ? r->AddString(msg, f, "String") : r->SetString(msg, f, "String");
        break;
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth >= kMaxSampleDepth) break;
        FillSample(f->is_repeated() ? r->AddMessage(msg, f) : r->MutableMessage(msg, f), depth + 1);
        break;
      default:
        break;  // numbers, booleans and enums keep their zero values
    }
  }
}

std::string Sample(const ServiceStackDtos& dtos, const pb::Descriptor* type,
                   ResponseFormat format) {
  std::unique_ptr<pb::Message> msg(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
  FillSample(msg.get(), 0);
  std::string body;
  WriteResponseBody(*msg, format, &body, dtos.NameOf(type));
  return body;
}

std::string OperationBody(const ServiceStackDtos& dtos, const ServiceStackDtos::Operation& op,
                          absl::string_view host) {
  std::string body = absl::StrCat("<p><a href=\"/metadata\">&lt;back to all web services</a></p>\n",
                                  "<h1>", HtmlEscape(op.name), "</h1>\n",
                                  "<p><strong>Requires Authentication</strong> (a bearer token, "
                                  "or Basic with the token as user name)</p>\n",
                                  "<h2>The following routes are available for this service:</h2>\n"
                                  "<table>\n");
  for (const auto& [path, verb] : op.routes) {
    absl::StrAppend(&body, "<tr><th>", HtmlEscape(verb), "</th><td>", HtmlEscape(path),
                    "</td></tr>\n");
  }
  for (const char* prefix : {"/api/", "/json/reply/"}) {
    absl::StrAppend(&body, "<tr><th>GET, POST</th><td>", prefix, HtmlEscape(op.name),
                    "</td></tr>\n");
  }
  body += "</table>\n";
  std::string csharp = RenderCSharpReference({{op.method->full_name(), op.name}}, "", absl::Now());
  csharp = csharp.substr(std::min(csharp.find("using System;"), csharp.size()));
  absl::StrAppend(&body, "<h2>C# ", HtmlEscape(op.name),
                  " DTOs</h2>\n<p>From <a href=\"/types/csharp\">/types/csharp</a> (also "
                  "<a href=\"/types/typescript\">/types/typescript</a>).</p>\n<pre>",
                  HtmlEscape(csharp), "</pre>\n");
  const std::string path = op.routes.empty() ? "/api/" + op.name : op.routes.front().first;
  const std::string verb = op.routes.empty() ? "POST" : op.routes.front().second;
  const bool has_body = verb != "GET" && verb != "DELETE";
  struct Format {
    const char* title;
    const char* accept;
    ResponseFormat format;
  };
  for (const Format& f : {Format{"HTTP + JSON", "application/json", ResponseFormat::kJson},
                          Format{"HTTP + JSV", "text/jsv", ResponseFormat::kJsv},
                          Format{"HTTP + CSV", "text/csv", ResponseFormat::kCsv},
                          Format{"HTTP + XML", "application/xml", ResponseFormat::kXml}}) {
    std::string request =
        absl::StrCat(verb, " ", path, " HTTP/1.1 \nHost: ", host, " \nAccept: ", f.accept, "\n");
    if (has_body) {
      absl::StrAppend(&request, "Content-Type: ", f.accept, "\nContent-Length: length\n\n",
                      Sample(dtos, op.method->input_type(), f.format), "\n");
    }
    absl::StrAppend(&body, "<h2>", f.title,
                    "</h2>\n<p>The following are sample HTTP requests and responses. The "
                    "placeholders shown need to be replaced with actual values.</p>\n<pre>",
                    HtmlEscape(request), "</pre>\n<pre>",
                    HtmlEscape(absl::StrCat("HTTP/1.1 200 OK\nContent-Type: ",
                                            ContentTypeOf(f.format), "\nContent-Length: length\n\n",
                                            Sample(dtos, op.method->output_type(), f.format))),
                    "</pre>\n");
  }
  return body;
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderMetadataIndex(const ServiceStackOperations& operations) {
  const ServiceStackDtos dtos(operations);
  std::string body =
      "<h1>Active Sessions</h1>\n<h2>The following operations are supported:</h2>\n<ul>\n";
  for (const ServiceStackDtos::Operation& op : dtos.operations()) {
    absl::StrAppend(&body, "<li><a href=\"/json/metadata?op=", HtmlEscape(op.name), "\">",
                    HtmlEscape(op.name), "</a></li>\n");
  }
  body +=
      "</ul>\n<h2>Add ServiceStack Reference</h2>\n<ul>\n"
      "<li><a href=\"/types/typescript\">TypeScript</a> (<code>npx typescript-ref</code>)</li>\n"
      "<li><a href=\"/types/csharp\">C#</a> (<code>npx csharp-ref</code>)</li>\n"
      "<li><a href=\"/types/metadata\">Metadata types</a> (JSON)</li>\n</ul>\n"
      "<h2>Other documents</h2>\n<ul>\n<li><a href=\"/openapi.json\">OpenAPI 3</a></li>\n"
      "<li><a href=\"/ui/\">Live dashboard</a></li>\n</ul>\n";
  return Page("Active Sessions metadata", body);
}

std::optional<std::string> RenderOperationPage(const ServiceStackOperations& operations,
                                               absl::string_view name, absl::string_view host) {
  const ServiceStackDtos dtos(operations);
  for (const ServiceStackDtos::Operation& op : dtos.operations()) {
    if (op.name == name) return Page(op.name, OperationBody(dtos, op, host));
  }
  return std::nullopt;
}

}  // namespace sessions::gateway
