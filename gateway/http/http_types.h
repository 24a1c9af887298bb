// The Beast message types the gateway's classes share.
#ifndef GATEWAY_HTTP_HTTP_TYPES_H_
#define GATEWAY_HTTP_HTTP_TYPES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "boost/beast/core/string.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"

namespace sessions::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Converts between Abseil's and Beast's string views (distinct types with
// Debian's Abseil build).
inline boost::beast::string_view ToBeast(absl::string_view s) {
  return boost::beast::string_view(s.data(), s.size());
}
inline absl::string_view ToAbsl(boost::beast::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Adds `token` to the response's single Vary header ("Origin, Accept-Encoding").
inline void AddVary(absl::string_view token, HttpResponse* response) {
  auto it = response->find(boost::beast::http::field::vary);
  if (it == response->end()) {
    response->set(boost::beast::http::field::vary, ToBeast(token));
    return;
  }
  std::string value(it->value());
  value.append(", ").append(token.data(), token.size());
  response->set(boost::beast::http::field::vary, value);
}

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_HTTP_TYPES_H_
