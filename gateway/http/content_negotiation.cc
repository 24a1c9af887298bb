#include "gateway/http/content_negotiation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace sessions::gateway {

absl::string_view ContentTypeOf(ResponseFormat format) {
  switch (format) {
    case ResponseFormat::kJsv:
      return "text/jsv";
    case ResponseFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ResponseFormat::kXml:
      return "application/xml";
    case ResponseFormat::kJson:
      break;
  }
  return "application/json; charset=utf-8";
}

std::optional<ResponseFormat> StripFormatSuffix(std::string* path) {
  const size_t slash = path->rfind('/');
  const size_t dot = path->rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  std::optional<ResponseFormat> format = ParseFormatParam(absl::string_view(*path).substr(dot + 1));
  if (format.has_value()) path->resize(dot);
  return format;
}

std::optional<ResponseFormat> ParseFormatParam(absl::string_view value) {
  if (absl::EqualsIgnoreCase(value, "json")) return ResponseFormat::kJson;
  if (absl::EqualsIgnoreCase(value, "jsv")) return ResponseFormat::kJsv;
  if (absl::EqualsIgnoreCase(value, "csv")) return ResponseFormat::kCsv;
  if (absl::EqualsIgnoreCase(value, "xml")) return ResponseFormat::kXml;
  return std::nullopt;
}

std::optional<ResponseFormat> FormatFromAccept(absl::string_view accept) {
  for (absl::string_view item : absl::StrSplit(accept, ',')) {
    absl::string_view type = item.substr(0, item.find(';'));
    type = absl::StripAsciiWhitespace(type);
    if (absl::EqualsIgnoreCase(type, "application/json") ||
        absl::EqualsIgnoreCase(type, "text/json") || type == "*/*" ||
        absl::EqualsIgnoreCase(type, "application/*")) {
      return ResponseFormat::kJson;
    }
    if (absl::EqualsIgnoreCase(type, "text/jsv")) return ResponseFormat::kJsv;
    if (absl::EqualsIgnoreCase(type, "text/csv")) return ResponseFormat::kCsv;
    if (absl::EqualsIgnoreCase(type, "application/xml") ||
        absl::EqualsIgnoreCase(type, "text/xml")) {
      return ResponseFormat::kXml;
    }
  }
  return std::nullopt;
}

ResponseFormat NegotiateFormat(std::optional<ResponseFormat> suffix,
                               std::optional<ResponseFormat> query, absl::string_view accept) {
  if (suffix.has_value()) return *suffix;
  if (query.has_value()) return *query;
  return FormatFromAccept(accept).value_or(ResponseFormat::kJson);
}

}  // namespace sessions::gateway
