// A file the HTTP gateway serves as-is from memory, such as the dashboard
// compiled into the binary (gateway/ui). The views point at storage that
// lives as long as the process (string literals).
//
// Thread-safety: plain immutable data.
#ifndef GATEWAY_HTTP_STATIC_ASSET_H_
#define GATEWAY_HTTP_STATIC_ASSET_H_

#include <string_view>

namespace sessions::gateway {

struct StaticAsset {
  std::string_view path;          // e.g. "/ui/app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_STATIC_ASSET_H_
