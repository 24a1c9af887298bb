#include "gateway/http/http_metadata.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sessions::gateway {

HttpMetadata::HttpMetadata(const HttpRequest* request) : request_(request) {
  auto it = request_->find(boost::beast::http::field::authorization);
  if (it == request_->end()) return;
  const absl::string_view value(it->value().data(), it->value().size());
  constexpr absl::string_view kBasic = "basic ";
  if (value.size() <= kBasic.size() || !absl::StartsWithIgnoreCase(value, kBasic)) return;
  std::string credentials;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(value.substr(kBasic.size())),
                            &credentials)) {
    return;
  }
  const absl::string_view user = absl::string_view(credentials).substr(0, credentials.find(':'));
  if (!user.empty()) basic_as_bearer_ = absl::StrCat("Bearer ", user);
}

std::optional<std::string_view> HttpMetadata::Get(std::string_view key) const {
  if (key == "authorization" && !basic_as_bearer_.empty()) return basic_as_bearer_;
  if (key != "authorization") {
    auto prefixed =
        request_->find(absl::StrCat("grpc-metadata-", absl::string_view(key.data(), key.size())));
    if (prefixed != request_->end()) {
      return std::string_view(prefixed->value().data(), prefixed->value().size());
    }
  }
  auto it = request_->find(boost::beast::string_view(key.data(), key.size()));
  if (it == request_->end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

}  // namespace sessions::gateway
