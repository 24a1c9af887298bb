// A google.api.http path template ("/v1/sessions/{session_id}:end") parsed
// once at start-up and matched against request paths.
//
// Grammar (google/api/http.proto):
//   Template = "/" Segments [ ":" Verb ] ;
//   Segment  = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segments ] "}" ;
// `{field}` is `{field=*}` (one segment); `**` (any number of segments) may
// only be the last segment.
//
// Usage:
//   absl::StatusOr<PathTemplate> t = PathTemplate::Parse("/v1/{name=items/*}");
//   std::vector<PathTemplate::Binding> bindings;
//   if (t->Match({{"v1", "items", "7"}}, &bindings)) { /* name = "items/7" */ }
//
// Thread-safety: immutable after Parse(); Match() may run concurrently.
#ifndef GATEWAY_TRANSCODE_PATH_TEMPLATE_H_
#define GATEWAY_TRANSCODE_PATH_TEMPLATE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sessions::gateway {

// A request path as the template grammar reads it: the decoded segments
// (no leading empty segment) and the verb after the last ':' of the last
// segment *as sent*, so that a percent-encoded colon ("%3A") is data and
// never selects a verb.
struct RequestPath {
  std::vector<std::string> segments;
  std::optional<std::string> verb;
};

class PathTemplate {
 public:
  // A variable's value taken from a matched path.
  struct Binding {
    std::string field_path;  // dotted proto field path, e.g. "session.id"
    std::string value;       // decoded segments joined with "/"
  };

  // Parses `text`. Errors: INVALID_ARGUMENT describing the first problem.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // Matches `path`: a template with a verb needs that verb; in a template
  // without one, a request's verb is part of its last segment (ids may hold
  // ':'). Fills `bindings` (may be null) on success.
  bool Match(const RequestPath& path, std::vector<Binding>* bindings) const;

  // The template as written, used as the route label in metrics.
  const std::string& text() const { return text_; }
  const std::string& verb() const { return verb_; }
  // True when the template has no variables and no wildcards.
  bool IsLiteral() const;
  // The dotted field paths of the variables, in template order.
  std::vector<std::string> VariableFieldPaths() const;
  // The template with each variable written `{field.path}` (its pattern
  // dropped), as OpenAPI path templating names parameters:
  // "/v1/{name=items/*}:get" -> "/v1/{name}:get".
  std::string OpenApiPath() const;

 private:
  enum class Kind { kLiteral, kWildcard, kDoubleWildcard };
  struct Segment {
    Kind kind;
    std::string literal;
  };
  struct Variable {
    std::string field_path;
    size_t begin = 0;  // index of its first segment
    size_t end = 0;    // one past its last segment
  };

  absl::Status ParseSegments(absl::string_view text, bool in_variable);

  std::string text_;
  std::string verb_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_TRANSCODE_PATH_TEMPLATE_H_
