#include "gateway/transcode/path_template.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sessions::gateway {
namespace {

bool IsFieldPath(absl::string_view path) {
  if (path.empty()) return false;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (part.empty() || absl::ascii_isdigit(part[0])) return false;
    for (char c : part) {
      if (!absl::ascii_isalnum(c) && c != '_') return false;
    }
  }
  return true;
}

absl::Status Invalid(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("path template \"", text, "\": ", why));
}

}  // namespace

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate result;
  result.text_ = std::string(text);
  if (text.empty() || text[0] != '/') return Invalid(text, "must start with '/'");
  absl::string_view body = text.substr(1);
  const size_t colon = body.rfind(':');
  if (colon != absl::string_view::npos) {
    const size_t last_slash = body.rfind('/');
    const size_t last_brace = body.rfind('}');
    const bool after_slash = last_slash == absl::string_view::npos || colon > last_slash;
    const bool after_brace = last_brace == absl::string_view::npos || colon > last_brace;
    if (after_slash && after_brace) {
      result.verb_ = std::string(body.substr(colon + 1));
      body = body.substr(0, colon);
      if (result.verb_.empty()) return Invalid(text, "empty verb");
    }
  }
  if (absl::Status s = result.ParseSegments(body, false); !s.ok()) {
    return Invalid(text, s.message());
  }
  for (size_t i = 0; i < result.segments_.size(); ++i) {
    if (result.segments_[i].kind == Kind::kDoubleWildcard && i + 1 != result.segments_.size()) {
      return Invalid(text, "'**' must be the last segment");
    }
  }
  return result;
}

absl::Status PathTemplate::ParseSegments(absl::string_view text, bool in_variable) {
  if (text.empty()) return absl::InvalidArgumentError("empty segment list");
  size_t pos = 0;
  while (pos <= text.size()) {
    if (pos < text.size() && text[pos] == '{') {
      if (in_variable) return absl::InvalidArgumentError("nested variable");
      const size_t close = text.find('}', pos);
      if (close == absl::string_view::npos) return absl::InvalidArgumentError("unclosed '{'");
      absl::string_view inner = text.substr(pos + 1, close - pos - 1);
      const size_t eq = inner.find('=');
      Variable var;
      var.field_path = std::string(inner.substr(0, eq));
      if (!IsFieldPath(var.field_path)) {
        return absl::InvalidArgumentError(absl::StrCat("bad field path \"", var.field_path, "\""));
      }
      var.begin = segments_.size();
      if (eq == absl::string_view::npos) {
        segments_.push_back({Kind::kWildcard, ""});
      } else if (absl::Status s = ParseSegments(inner.substr(eq + 1), true); !s.ok()) {
        return s;
      }
      var.end = segments_.size();
      variables_.push_back(std::move(var));
      pos = close + 1;
      if (pos < text.size() && text[pos] != '/') {
        return absl::InvalidArgumentError("'}' must end a segment");
      }
    } else {
      size_t slash = text.find('/', pos);
      if (slash == absl::string_view::npos) slash = text.size();
      absl::string_view seg = text.substr(pos, slash - pos);
      if (seg.empty()) return absl::InvalidArgumentError("empty segment");
      if (seg.find_first_of("{}") != absl::string_view::npos) {
        return absl::InvalidArgumentError("'{' inside a segment");
      }
      if (seg == "*") {
        segments_.push_back({Kind::kWildcard, ""});
      } else if (seg == "**") {
        segments_.push_back({Kind::kDoubleWildcard, ""});
      } else {
        segments_.push_back({Kind::kLiteral, std::string(seg)});
      }
      pos = slash;
    }
    if (pos >= text.size()) break;
    ++pos;  // skip '/'
    if (pos == text.size()) return absl::InvalidArgumentError("trailing '/'");
  }
  return absl::OkStatus();
}

bool PathTemplate::IsLiteral() const {
  for (const Segment& s : segments_) {
    if (s.kind != Kind::kLiteral) return false;
  }
  return true;
}

std::vector<std::string> PathTemplate::VariableFieldPaths() const {
  std::vector<std::string> paths;
  paths.reserve(variables_.size());
  for (const Variable& var : variables_) paths.push_back(var.field_path);
  return paths;
}

std::string PathTemplate::OpenApiPath() const {
  std::string out;
  size_t next_variable = 0;
  for (size_t i = 0; i < segments_.size();) {
    out.push_back('/');
    if (next_variable < variables_.size() && variables_[next_variable].begin == i) {
      const Variable& var = variables_[next_variable++];
      absl::StrAppend(&out, "{", var.field_path, "}");
      i = var.end;
      continue;
    }
    const Segment& s = segments_[i++];
    out += s.kind == Kind::kLiteral ? s.literal : s.kind == Kind::kWildcard ? "*" : "**";
  }
  if (!verb_.empty()) absl::StrAppend(&out, ":", verb_);
  return out;
}

bool PathTemplate::Match(const RequestPath& path, std::vector<Binding>* bindings) const {
  const std::vector<std::string>& segments = path.segments;
  if (segments.empty()) return false;
  absl::string_view last = segments.back();
  std::string rejoined;
  if (!verb_.empty()) {
    if (path.verb != verb_) return false;
  } else if (path.verb.has_value()) {
    rejoined = absl::StrCat(last, ":", *path.verb);
    last = rejoined;
  }
  auto segment_at = [&](size_t i) -> absl::string_view {
    return i + 1 == segments.size() ? last : absl::string_view(segments[i]);
  };
  const bool open_end = !segments_.empty() && segments_.back().kind == Kind::kDoubleWildcard;
  if (open_end ? segments.size() < segments_.size() : segments.size() != segments_.size()) {
    return false;
  }
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Kind::kLiteral && segment_at(i) != s.literal) return false;
    if (s.kind == Kind::kWildcard && segment_at(i).empty()) return false;
  }
  if (bindings == nullptr) return true;
  bindings->clear();
  for (const Variable& var : variables_) {
    const size_t end = (open_end && var.end == segments_.size()) ? segments.size() : var.end;
    std::string value;
    for (size_t i = var.begin; i < end; ++i) {
      if (i > var.begin) value.push_back('/');
      const absl::string_view seg = segment_at(i);
      value.append(seg.data(), seg.size());
    }
    bindings->push_back({var.field_path, std::move(value)});
  }
  return true;
}

}  // namespace sessions::gateway
