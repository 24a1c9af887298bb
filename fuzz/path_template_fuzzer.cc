// Path templates: any template text parses or is refused cleanly, and any
// request path (with or without a verb) matches or does not, without a
// crash or sanitizer finding. Input: template, a newline, then the path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gateway/transcode/path_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view text = input.substr(0, newline);
  absl::StatusOr<sessions::gateway::PathTemplate> parsed =
      sessions::gateway::PathTemplate::Parse(text);
  if (!parsed.ok() || newline == absl::string_view::npos) return 0;
  absl::string_view path = input.substr(newline + 1);
  sessions::gateway::RequestPath request;
  const size_t colon = path.rfind(':');
  if (colon != absl::string_view::npos && path.find('/', colon) == absl::string_view::npos) {
    request.verb = std::string(path.substr(colon + 1));
    path = path.substr(0, colon);
  }
  for (absl::string_view segment : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    request.segments.emplace_back(segment);
  }
  std::vector<sessions::gateway::PathTemplate::Binding> bindings;
  parsed->Match(request, &bindings);
  return 0;
}
