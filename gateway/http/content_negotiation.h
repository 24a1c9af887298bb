// Chooses the response format of a REST request the way ServiceStack does:
// path suffix (".json", ".jsv", ".csv", ".xml") > "?format=json|jsv|csv|xml" > the first
// supported type of the Accept header (q-values ignored; "*/*" means JSON) > JSON.
// Unsupported formats fall back to JSON; the gateway never answers 406.
//
// Thread-safety: stateless functions.
#ifndef GATEWAY_HTTP_CONTENT_NEGOTIATION_H_
#define GATEWAY_HTTP_CONTENT_NEGOTIATION_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sessions::gateway {

enum class ResponseFormat { kJson, kJsv, kCsv, kXml };

// Returns the Content-Type header value of `format`.
absl::string_view ContentTypeOf(ResponseFormat format);

// Removes a ".json" / ".jsv" / ".csv" / ".xml" suffix (case-insensitive) from `path` and
// returns the format it names; returns nullopt and leaves `path` alone
// when there is none.
std::optional<ResponseFormat> StripFormatSuffix(std::string* path);

// Parses a "?format=" value; nullopt for an empty or unsupported one.
std::optional<ResponseFormat> ParseFormatParam(absl::string_view value);

// Returns the format of the first media type of `accept` the gateway
// supports, or nullopt when none is supported.
std::optional<ResponseFormat> FormatFromAccept(absl::string_view accept);

// Applies the precedence: suffix > query > Accept > JSON.
ResponseFormat NegotiateFormat(std::optional<ResponseFormat> suffix,
                               std::optional<ResponseFormat> query, absl::string_view accept);

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_CONTENT_NEGOTIATION_H_
