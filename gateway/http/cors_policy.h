// CORS for browser clients that call with credentials (ServiceStack's
// JsonServiceClient uses mode "cors" + credentials "include"): an allowed
// Origin is echoed (never "*") with Access-Control-Allow-Credentials: true
// and Vary: Origin; other origins get no CORS headers at all.
//
// Usage:
//   CorsPolicy cors({"https://portal.example.com"});
//   cors.Apply(origin, &response);            // on every response
//   if (CorsPolicy::IsPreflight(req)) cors.Preflight(origin, &response);
//
// Thread-safety: immutable after construction.
#ifndef GATEWAY_HTTP_CORS_POLICY_H_
#define GATEWAY_HTTP_CORS_POLICY_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "gateway/http/http_types.h"

namespace sessions::gateway {

class CorsPolicy {
 public:
  // `allowed_origins` are exact origins ("https://a.example:8443"),
  // compared case-insensitively; an empty list disables CORS.
  explicit CorsPolicy(const std::vector<std::string>& allowed_origins);

  bool IsAllowed(absl::string_view origin) const;

  // True for an OPTIONS request carrying Access-Control-Request-Method.
  static bool IsPreflight(const HttpRequest& request);

  // Adds the CORS headers of an actual response (Vary: Origin always when
  // CORS is enabled, so caches keep per-origin copies).
  void Apply(absl::string_view origin, HttpResponse* response) const;

  // Fills the 204 answer of a preflight. `allowed_methods` lists the
  // methods of the matched path ("GET, POST"); a disallowed origin gets a
  // bare 204 without CORS headers, which the browser treats as a refusal.
  void Preflight(absl::string_view origin, absl::string_view allowed_methods,
                 HttpResponse* response) const;

 private:
  absl::flat_hash_set<std::string> origins_;  // lower-case
};

}  // namespace sessions::gateway

#endif  // GATEWAY_HTTP_CORS_POLICY_H_
