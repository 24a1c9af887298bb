#include "gateway/http/cors_policy.h"

#include "absl/strings/ascii.h"

namespace sessions::gateway {

namespace http = boost::beast::http;

CorsPolicy::CorsPolicy(const std::vector<std::string>& allowed_origins) {
  for (const std::string& origin : allowed_origins) {
    if (!origin.empty()) origins_.insert(absl::AsciiStrToLower(origin));
  }
}

bool CorsPolicy::IsAllowed(absl::string_view origin) const {
  if (origin.empty() || origins_.empty()) return false;
  return origins_.contains(absl::AsciiStrToLower(origin));
}

bool CorsPolicy::IsPreflight(const HttpRequest& request) {
  return request.method() == http::verb::options &&
         request.find(http::field::access_control_request_method) != request.end();
}

void CorsPolicy::Apply(absl::string_view origin, HttpResponse* response) const {
  if (origins_.empty()) return;
  AddVary("Origin", response);
  if (!IsAllowed(origin)) return;
  response->set(http::field::access_control_allow_origin, ToBeast(origin));
  response->set(http::field::access_control_allow_credentials, "true");
}

void CorsPolicy::Preflight(absl::string_view origin, absl::string_view allowed_methods,
                           HttpResponse* response) const {
  response->result(http::status::no_content);
  Apply(origin, response);
  if (!IsAllowed(origin)) return;
  response->set(http::field::access_control_allow_methods, ToBeast(allowed_methods));
  response->set(http::field::access_control_allow_headers,
                "Authorization, Content-Type, Accept, Accept-Encoding, X-Requested-With");
  response->set(http::field::access_control_max_age, "600");
}

}  // namespace sessions::gateway
